"""`manage.py refresh_similarity_stats`: recount the lexeme statistics of similar-idea ranking.

Lookups already count each new idea's lexemes as it arrives; edited and deleted ideas drift
the counts a little, which a full recount (a few seconds at 100,000 ideas; nightly is plenty)
puts right. See ideas/similarity.py.
"""

from django.core.management.base import BaseCommand, CommandParser

from ideas import similarity


class Command(BaseCommand):
    help = "Recount how many ideas use each search lexeme (the IDF of similar-idea ranking)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--new-only",
            action="store_true",
            help="Only count ideas added since the last refresh (what lookups do anyway).",
        )

    def handle(self, *args, new_only: bool, **options) -> None:
        from ideas.models import LexemeStatCoverage

        similarity.refresh_stats(full=not new_only)
        coverage = LexemeStatCoverage.objects.get(pk=1)
        self.stdout.write(
            f"Lexeme statistics cover {coverage.ideas} ideas (up to #{coverage.last_idea_id})."
        )
