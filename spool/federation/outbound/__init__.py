"""Outgoing activities: one builder per activity (``create``, ``update``, ``delete``, ``follow``,
``accept``, ``reject``, ``undo``, ``like``, ``announce``, ``block``) plus the ``actor`` and ``note``
documents they carry. Builders only build JSON; :mod:`spool.federation.delivery` sends it."""
