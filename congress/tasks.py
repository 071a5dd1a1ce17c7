from celery import shared_task

from .services.sweep import sweep as run_sweep


@shared_task(name="congress.sweep", time_limit=120, ignore_result=True)
def sweep() -> dict[str, int]:
    return run_sweep()
