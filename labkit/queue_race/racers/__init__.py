"""The racers: one module per library, run by path in fresh interpreters, never imported by labkit.

Each ``race_<library>.py`` defines the same no-op task (it returns its argument, a small int) and a
``Client`` with ``enqueue(i)`` and ``result(handle)``; ``drive.py`` times those calls. They import
only the standard library and their queue library, because arq's run in another virtualenv
(``.venv-arq``: arq 0.28 needs redis<6, the course pins redis 8), where labkit does not import.
"""
