"""The lessons' widgets: each a small class that can be driven without a browser.

Every widget shows its controls beside a matplotlib figure rendered to an image (see
``base.FigureWidget``); moving a control calls a plain method that updates the figure's artists
and re-renders, so tests can set ``slider.value`` and assert on what changed.
"""
