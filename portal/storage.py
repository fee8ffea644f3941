"""Static files in production: whitenoise's compressed storage with content-hashed names.

Vendored libraries (static/vendor/) end with `sourceMappingURL` comments for .map files that
are not all shipped; Django's manifest storage would refuse to collect them. Lode leaves
those comments alone (browsers fetch a map only with the developer tools open) and still
rewrites every `url()` and `@import`, so a missing image or font stays an error."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


def _is_source_map(pattern: str | tuple[str, str]) -> bool:
    return "sourceMappingURL" in (pattern if isinstance(pattern, str) else pattern[0])


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    patterns = tuple(
        (extension, tuple(p for p in rules if not _is_source_map(p)))
        for extension, rules in CompressedManifestStaticFilesStorage.patterns
    )
