from typing import Any


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers", "serve: starts `manage.py serve` (server, worker, scheduler) as a subprocess; ~15 s"
    )
