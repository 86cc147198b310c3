"""Adapters: one module per framework, each translating the neutral model into that framework's code.

No module here imports its framework at import time, so the suite can list every adapter and say
which extra to install for a missing one.
"""
