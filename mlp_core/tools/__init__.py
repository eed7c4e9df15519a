"""The notebook tooling: student versions and hand-outs (``student``), the reading site
(``site``) and the nbgrader course layout (``grading``). Run as ``python -m mlp_core.tools.NAME``.
"""
