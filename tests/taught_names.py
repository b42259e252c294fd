"""The names each lesson teaches, for tests/test_course_map.py: a lesson (or its lab) that uses one
before the lesson that teaches it must say where it is taught ("lesson 22", or a link "22 · ..."), in
the cell or in the text just above it (a real file shown early carries what later lessons add to it);
a lesson that uses one after must need that lesson (labkit/authoring/course_map.py).

A name is a regular expression: `celery -A restaurant inspect` is the command line's `celery inspect`,
and Django's `django_tasks` is not RQ's `enqueue` (lesson 14 races RQ). A setting is written out
whole (CELERY_TASK_ACKS_LATE), since `\b` finds no word's edge after an underscore. The labs are
generated from the solutions, which the test reads.
"""
TAUGHT = {
    r"\bgroup_send\b": "03",                          # the cook presses the buzzer (the tape)
    r"\bself\.retry\(|\bautoretry_for\b|\bcharge_card_autoretry\.": "04",  # sent, not only listed
    r"\backs_late\b|\bCELERY_TASK_ACKS_LATE\b|\bvisibility_timeout\b": "05",
    r"\bcrontab\(|\bCELERY_BEAT_SCHEDULE\b|\bbeat_schedule\b": "07",
    r"\bWebsocketCommunicator\b": "08",               # lab 08's check, said in its words
    r"\bchain\(|\bchord\(|\bCELERY_TASK_ROUTES\b|\btask_routes\b": "11",
    r"\bcelery (?:-A \S+ )?inspect\b|\.control\.inspect\(": "10",  # the relay's tools; lesson 12 goes further
    r"\bdelay_on_commit\b|\bon_commit\(": "15",
    r"\bsoft_time_limit\b|\bSoftTimeLimitExceeded\b|\brate_limit\b": "16",
    r"\bmax_tasks_per_child\b|MAX_TASKS_PER_CHILD|\bmax_memory_per_child\b|MAX_MEMORY_PER_CHILD": "17",
    r"\bsupervisorctl\b|SOFT_SHUTDOWN_TIMEOUT|\bsoft_shutdown_timeout\b": "19",
    r"--pool=(?:threads|solo)|pool=\"(?:threads|solo)\"": "21",
    r"\bAuthMiddlewareStack\b|\bscope\[\"user\"\]|\bCustomerConsumer\b": "22",
    r"\breceive_json\b|\bKitchenConsumer\b": "23",
    r"\bdatabase_sync_to_async\b|\bSynchronousOnlyOperation\b": "24",
    r"\bChannelFull\b|\bchannel_capacity\b": "26",
    r"\b[Uu]vicorn\b": "27",
    r"\bdjango_tasks\b|\bdb_worker\b": "30",
}
