"""The runtime layer: processes that never outlive their kernel. No Django, no Redis client.

    paths.py      labkit's checkout, the course folder a kernel runs, the course home
    run.py        a kernel's run folder, its state file and its watchdog
    reaper.py     the watchdog itself (a script of the standard library and psutil)
    service.py    one program's life cycle: launch, ready, retry a taken port, stop, restart, log
    waiting.py    wait_until: every wait is on a condition
    ports.py      free ports on 127.0.0.1, and who holds a taken one
    unix_http.py  HTTP over a Unix socket
    machine.py    the CPUs and memory the course may use (cgroup limits), small-machine mode
    errors.py     errors that say what happened and what to do
    typed.py      a command as a learner types it, run with the course's Python
    editing.py    a file of a project's copy, changed as an editor would
"""
