"""The look layer: seeing what the programs leave behind, without changing it.

    redis.py        keys, tickets decoded, commands as they fly by, what workers hold, Redis's hats
    board.py        the live rail board (a widget)
    events.py       the workers' events and the Redis channels they travel on
    trail.py        an order's journey, from the times each program wrote down
    follow.py       an order's or a task's states, as they change
    timing.py       many runs, percentiles, ratios, a plot
    tables.py       a table that reads well as HTML and as the text nbval compares
    project_map.py  where each actor of the relay is in the project's files
"""
