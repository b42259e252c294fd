"""The look layer: seeing what the programs leave behind, without changing it.

    redis.py        keys, tickets decoded, commands as they fly by, what workers hold, Redis's hats
    board.py        the live rail board (a widget)
    events.py       the workers' events and the Redis channels they travel on
    trail.py        an order's journey, from the times each program wrote down
    follow.py       an order's or a task's states, as they change
    timing.py       many runs, percentiles, ratios, a plot
    source.py       the restaurant's real source on screen, read from its file when the cell runs
    tape.py         the message tape: every command the programs send to Redis, and who sent it
    monitor_stream.py   Redis's MONITOR stream, read on a thread while a block runs (redis.py, tape.py)
    programs.py     how each program was started: its command line and the settings it was given
    project_map.py  where each actor of the relay is in the project's files

The tables they print (HTML in the notebook, the text nbval compares) are labkit/runtime/tables.py's.
"""
