"""Dramatiq workers: invoice runs in chunks, invoice email, Stripe auto-charge, the schedule.

Import `workers.actors` to declare every actor on the broker chosen by ISPBOX_BROKER_URL.
"""
