"""The kitchen layer: one kernel's restaurant, and the ways a notebook talks to it like a customer.

    restaurant.py    Restaurant: the services of one kernel, opened and closed together
    other_project.py OpenProject: any Django project's services (clinic/), with the same guarantees
    kernel_django.py Django inside the kernel, pointed at this restaurant (models, the test client)
    small_machine.py one open restaurant per user on a small machine (Binder)
    door_keys.py     the door keys of this kernel's web services, for its clients
    web_client.py    WebClient and rush(): real HTTP, like browsers
    test_client.py   Django's test client, a request per thread
    buzzer.py        Buzzer: the table's WebSocket, held by the notebook
    front_desk.py    the Jupyter server's orderup/ and flower/ entries
"""
