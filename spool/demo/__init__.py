"""Demo data: a few dozen people, their follow graph and a few weeks of posts, made through the real services
(``manage.py seed_demo``, run once by ``make run``)."""
