"""The services layer: the programs a kitchen runs, each a runtime Service with one life cycle.

    redis.py            the Redis server (a private one per kernel: a free port, a password)
    external_redis.py   an existing Redis (ORDERUP_USE_REDIS), through a relay each kernel owns
    relay_program.py    that relay: 127.0.0.1:PORT -> HOST:PORT, byte for byte
    rabbitmq.py         a private RabbitMQ broker (lesson 13); rabbitmq_install.py finds one,
                        rabbitmq_queues.py reads its queues
    celery.py           the Celery worker (the cook) and beat (the timer)
    web.py              Daphne (the door) and lesson 01's one-waiter
    flower.py           Flower, the kitchen's monitor, on a Unix socket
    projects.py         any Django project: its description, its worker, beat and Daphne
    door.py             the door key in front of any project's ASGI application
"""
