"""What the lessons use, beside the engine: the checks of each lesson's exercises
(``checks``, one module per lesson on one protocol), the planted bugs of the gradient-checking
lesson (``bugs``), each exercise's typical wrong answers (``mistakes``), the post as written
(``post``), the pictures (``viz``, ``digits_viz``), the models the widgets show (``models``) and
the widgets themselves (``widgets``, views only).

The engine (``mlp_core``'s top level) imports nothing from here.
"""
