import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from partyfill.checks import run_checks
from partyfill.runner import FillError, Sizes, Step, fill


class Command(BaseCommand):
    help = _(
        "Fill an empty PostgreSQL database with a party: members in a unit tree, "
        "proposals in every state, comments and counted polls (README, "
        "'Party-scale data'). Every counter is checked before the fill commits."
    )

    def add_arguments(self, parser):
        d = Sizes()
        parser.add_argument("--members", type=int, default=d.members)
        parser.add_argument("--proposals", type=int, default=d.proposals)
        parser.add_argument("--comments", type=int, default=d.comments)
        parser.add_argument(
            "--polls", type=int, default=d.polls, help=_("counted (closed) polls")
        )
        parser.add_argument("--seed", type=int, default=d.seed)
        parser.add_argument(
            "--check-only",
            action="store_true",
            help=_("only check the counters of this database"),
        )

    def handle(self, *args, **options):
        if options["check_only"]:
            return self._check()
        sizes = Sizes(
            members=options["members"],
            proposals=options["proposals"],
            comments=options["comments"],
            polls=options["polls"],
            seed=options["seed"],
        )
        self.stdout.write(
            _(
                "Filling: %(m)d members, %(p)d proposals, %(c)d comments, %(v)d "
                "counted polls (seed %(s)d)."
            )
            % {
                "m": sizes.members,
                "p": sizes.proposals,
                "c": sizes.comments,
                "v": sizes.polls,
                "s": sizes.seed,
            }
        )
        began = time.perf_counter()
        try:
            steps = fill(sizes, report=self._report)
        except FillError as exc:
            raise CommandError(str(exc)) from exc
        cpu = sum(s.cpu for s in steps)
        db_cpu = sum(s.db_cpu or 0.0 for s in steps)
        self.stdout.write(
            _("CPU: %(cpu).1f s in this process, %(db).1f s in PostgreSQL.")
            % {"cpu": cpu, "db": db_cpu}
        )
        self.stdout.write(
            _("Done in %(s).1f s. Every member's password is %(pw)s.")
            % {
                "s": time.perf_counter() - began,
                "pw": settings.TORGET["DEMO_PASSWORD"],
            }
        )

    def _report(self, step: Step) -> None:
        counts = ", ".join(f"{v:,} {k}" for k, v in step.counts.items())
        db = "" if step.db_cpu is None else f" + db {step.db_cpu:6.1f}"
        self.stdout.write(
            f"  {step.name:<28} {step.seconds:8.1f} s  (cpu {step.cpu:6.1f}{db})  "
            f"{counts}"
        )
        self.stdout.flush()

    def _check(self) -> None:
        problems = run_checks()
        for name, broken in problems.items():
            self.stdout.write(f"  {broken or 'ok':>8}  {name}")
        if any(problems.values()):
            raise CommandError(_("Some counters do not match."), returncode=1)
