from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from voting.models import Poll, PollState
from voting.verify import verify_poll


class Command(BaseCommand):
    help = _(
        "Recount a closed poll from its public bulletin and compare it with the "
        "published result (exit status 1 when they differ)."
    )

    def add_arguments(self, parser):
        parser.add_argument("poll", type=int)

    def handle(self, *args, poll: int, **options):
        found = Poll.objects.filter(pk=poll).first()
        if found is None:
            raise CommandError(_("There is no poll %(id)d.") % {"id": poll})
        if found.state != PollState.CLOSED or found.bulletin_published_at is None:
            raise CommandError(
                _("Poll %(id)d is not closed yet: there is no bulletin to recount.")
                % {"id": poll}
            )
        check = verify_poll(found)
        self.stdout.write(
            _("Poll %(id)d: %(b)d ballots in the bulletin, %(p)d participations.")
            % {"id": poll, "b": check.ballots, "p": check.participations}
        )
        if not check.ok:
            for problem in check.problems:
                self.stderr.write(problem)
            raise CommandError(
                _("The recount does NOT match the published result."), returncode=1
            )
        self.stdout.write(_("The recount matches the published result."))
