"""Worker signals: fresh database connections in each forked pool process."""

from celery.signals import worker_process_init

from workers import runtime


@worker_process_init.connect
def _dispose_inherited_connections(**_: object) -> None:
    runtime.reset_after_fork()
