"""Dramatiq workers: invoice runs in chunks, invoice email, Stripe auto-charge, the schedule.

A process that runs them starts with `workers.process.start_actors(settings)`: the broker is
made then, and the actors declared on it.
"""
