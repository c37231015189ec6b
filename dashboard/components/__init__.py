"""Widgets shared by the pages: lists, KPI cards, run controls, progress and summaries."""
