"""Similar ideas: BM25 ranking over PostgreSQL full-text search, rare words weighing most.

`similar(title, body=…, ideas=…)` serves the forum (a title being typed) and the capture page
(what a customer said) through `queries.similar_ideas`, and `manage.py eval_duplicates`
measures it on real duplicate reports (docs/duplicates.md). How it ranks:

1. The query's words become English lexemes (stemmed, stop words dropped) by the same
   `to_tsvector('english', …)` as `Idea.search_vector`; compound identifiers (camelCase,
   dotted.names, paths) also add their parts, at half weight. A last word that no idea contains
   is taken as still being typed and stands for the lexemes it begins (`expo` → `export`).
2. Each lexeme weighs idf² × (1 + ln tf) — TF-IDF on both sides, as cosine similarity would —
   and twice that if it is in the title of a title-and-body query. Document frequencies come
   from `LexemeStat`, a cache of `ts_stat()` kept current as ideas are added (see
   `refresh_stats`).
3. Candidates come from the GIN index: ideas with any of the query's rarer lexemes, or with
   two of its commoner ones, within a budget of index entries, so that a query of common words
   stays fast at 100,000 ideas.
4. Each candidate is scored with BM25 (k1 1.2, b 0.75): a lexeme in the title counts as three
   in the body, long ideas are discounted. `similarity` is that score over the score the query
   itself would get as an idea: 1.0 reads "says what you said", 0.3 "shares some of it".
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

from django.db import OperationalError, connections, transaction
from django.db.models import BooleanField, F, Func, Q, TextField, Value

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from ideas.models import Idea

K1 = 1.2
B = 0.75
TITLE_TF = 3  # BM25F: one mention in a title counts as three in a body.
QUERY_TITLE_BOOST = 2.0  # In a title + body query, the title says what it is about.
PART_WEIGHT = 0.5  # `parseAccessPoint` also asks for `parse`, `access`, `point`, less surely.
PREFIX_WEIGHT = 0.5  # A half-typed word could end several ways.
PREFIX_EXPANSIONS = 8
# The most informative lexemes of a text: all of a 2,000-character report, and a bound on the
# cost of a pasted essay.
MAX_TERMS = 100
# A longer query first ranks the candidates by its most telling lexemes, then only the best
# of them by all: scoring costs candidates × lexemes.
SHORTLIST_TERMS = 16
SHORTLIST = 200
# Index entries the candidate filter may use (summed idea counts of its lexemes): each
# candidate costs a few microseconds to score, so this bounds a lookup at 100,000 ideas.
CANDIDATE_BUDGET = 1000
PAIR_TERMS = 6  # Of the commoner lexemes, the rarest few whose pairs may find candidates.
MAX_FILTER_LEXEMES = 64  # A longer tsquery costs more to test than its index entries save.
# Never score more: if even the pairs of words are that common, an arbitrary subset is
# scored, since such a query says too little to rank thousands of ideas by anyway.
CANDIDATE_CAP = 4000
MAX_TITLE_CHARS = 1000
MAX_BODY_CHARS = 10000

COMPOUND = re.compile(r"\w+(?:[./#:=]\w+)+|\w*[a-z][A-Z]\w*")
WORD_PART = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
LAST_WORD = re.compile(r"(\w+)\Z")
# PostgreSQL refuses NUL in text; lone surrogates cannot be encoded as UTF-8.
UNSENDABLE = re.compile(r"[\x00\ud800-\udfff]")

# The query's lexemes with their idea counts, and on every row what the counts cover.
QUERY_LEXEMES_SQL = """
    SELECT q.part, q.lexeme, cardinality(q.positions), COALESCE(s.ideas, 0),
           coverage.last_idea_id, coverage.ideas, coverage.lexemes, coverage.newest
      FROM (SELECT 'title' AS part, * FROM unnest(to_tsvector('english', %s))
            UNION ALL SELECT 'body', * FROM unnest(to_tsvector('english', %s))
            UNION ALL SELECT 'parts', * FROM unnest(to_tsvector('english', %s))
            UNION ALL SELECT 'last', * FROM unnest(to_tsvector('english', %s))) q
      LEFT JOIN ideas_lexemestat s ON s.lexeme = q.lexeme
     CROSS JOIN (SELECT c.last_idea_id, c.ideas, c.lexemes,
                        (SELECT max(id) FROM ideas_idea) AS newest
                   FROM (SELECT 1) AS one
                   LEFT JOIN ideas_lexemestatcoverage c ON c.id = 1) coverage
"""
# Counts the lexemes of the ideas added since the last count, in one statement. The coverage
# row moves on only if no one else moved it since this statement's snapshot (ON CONFLICT
# re-checks the latest row, waiting for a concurrent count to commit), and the lexemes are
# added only if it moved: concurrent lookups never count an idea twice. ts_stat() takes its
# query as text; the only values put in it are two integers read from our own tables.
FOLD_SQL = """
    WITH counted AS (
        SELECT COALESCE((SELECT last_idea_id FROM ideas_lexemestatcoverage WHERE id = 1), 0)
               AS last_idea_id
    ), added AS (
        SELECT counted.last_idea_id, count(i.id) AS ideas,
               COALESCE(sum(length(i.search_vector)), 0) AS lexemes, max(i.id) AS newest
          FROM counted LEFT JOIN ideas_idea i ON i.id > counted.last_idea_id
         GROUP BY counted.last_idea_id
    ), moved AS (
        INSERT INTO ideas_lexemestatcoverage AS c
               (id, last_idea_id, ideas, lexemes, refreshed_at)
        SELECT 1, newest, ideas, lexemes, now() FROM added WHERE ideas > 0
        ON CONFLICT (id) DO UPDATE
           SET last_idea_id = EXCLUDED.last_idea_id, ideas = c.ideas + EXCLUDED.ideas,
               lexemes = c.lexemes + EXCLUDED.lexemes, refreshed_at = EXCLUDED.refreshed_at
         WHERE c.last_idea_id = (SELECT last_idea_id FROM counted)
        RETURNING c.id
    ), folded AS (
        INSERT INTO ideas_lexemestat (lexeme, ideas)
        SELECT stat.word, stat.ndoc
          FROM added, moved, ts_stat(
               'SELECT search_vector FROM ideas_idea WHERE id > ' || added.last_idea_id
               || ' AND id <= ' || added.newest) AS stat
        ON CONFLICT (lexeme) DO UPDATE SET ideas = ideas_lexemestat.ideas + EXCLUDED.ideas
    )
    SELECT count(*) FROM moved
"""


@dataclass(frozen=True)
class Term:
    """One lexeme of a query: how much it weighs, and how many ideas have it."""

    lexeme: str
    weight: float
    ideas: int
    own_tf: int  # Its tf in an idea that says exactly the query (see _self_score).


@dataclass(frozen=True)
class Corpus:
    """What the lexeme statistics cover: how many ideas, and their mean distinct lexemes."""

    ideas: int
    mean_length: float
    current: bool = True  # False when ideas were added that could not be counted yet.


@dataclass(frozen=True)
class Ranking:
    """The SQL that ranks a query's candidates: rows of (idea id, BM25 score), best first."""

    sql: str
    params: list
    best_possible: float  # The score of an idea saying exactly the query: similarity 1.0.


def similar(
    title: str,
    *,
    ideas: QuerySet[Idea],
    body: str = "",
    limit: int = 5,
    min_similarity: float = 0.0,
    budget: int | None = CANDIDATE_BUDGET,
) -> list[Idea]:
    """The `limit` ideas of `ideas` most like `title` (and `body`), best first, each with a
    `similarity` from 0 to 1. `ideas` is the caller's base queryset (visibility, no merged
    ideas, select_related…); `budget=None` scores every idea sharing a word (for measuring)."""
    ranking = ranking_sql(title, ideas=ideas, body=body, limit=limit, budget=budget)
    if ranking is None:
        return []
    with connections[ideas.db].cursor() as cursor:
        cursor.execute(ranking.sql, ranking.params)
        scores = {
            pk: round(min(1.0, score / ranking.best_possible), 3)
            for pk, score in cursor.fetchall()
        }
    found = {idea.pk: idea for idea in ideas.filter(pk__in=scores)}
    for pk, idea in found.items():
        idea.similarity = scores[pk]
    # Ties (equal similarity) keep the ranking's order: more recent ideas first.
    ordered = [found[pk] for pk in scores if pk in found]
    return [idea for idea in ordered if idea.similarity >= min_similarity]


def ranking_sql(
    title: str,
    *,
    ideas: QuerySet[Idea],
    body: str = "",
    limit: int = 5,
    budget: int | None = CANDIDATE_BUDGET,
) -> Ranking | None:
    """The ranking query behind `similar`, or None when no idea shares a word with the text."""
    query, corpus = query_terms(title, body, using=ideas.db)
    # A lexeme no idea has cannot score, so it is left out, unless ideas were added that
    # could not be counted yet (see query_terms). It still counts against the similarity of
    # any idea, which lacks it.
    terms = [term for term in query if term.ideas or not corpus.current][:MAX_TERMS]
    match, expected = _candidate_filter(terms, budget, corpus)
    if match is None:
        return None
    # Each candidate's vector is copied out once (setweight with no lexemes is a plain copy)
    # so that the many @@ tests below read it from memory: a long idea's vector is TOASTed,
    # and each test would fetch it from the TOAST table again.
    candidates = (
        ideas.filter(match)
        .order_by()
        .annotate(
            vector_copy=Func(
                F("search_vector"),
                template="setweight(%(expressions)s, 'A', '{}'::text[])",
                output_field=TextField(),
            )
        )
        .values_list("pk", "vector_copy")
    )
    capped = budget is not None and expected > CANDIDATE_CAP
    if capped:
        candidates = candidates[:CANDIDATE_CAP]
    candidates_sql, params = candidates.query.sql_with_params()
    if not capped:
        # Keeps the subquery apart (as LIMIT does), or the copy would be inlined into every
        # test; a LIMIT here would make the planner hope to stop early and scan the table.
        candidates_sql += " OFFSET 0"
    source = f"({candidates_sql}) AS candidate (id, vector)"
    if len(terms) > SHORTLIST_TERMS:
        rough, rough_params = _bm25(terms[:SHORTLIST_TERMS], corpus)
        source = (
            f"(SELECT id, vector FROM {source} ORDER BY {rough} DESC LIMIT %s)"  # noqa: S608 - placeholders only
            " AS candidate (id, vector)"
        )
        params = (*params, *rough_params, SHORTLIST)
    score, score_params = _bm25(terms, corpus)
    sql = f"SELECT id, {score} AS score FROM {source} ORDER BY score DESC, id DESC LIMIT %s"  # noqa: S608 - placeholders only
    return Ranking(sql, [*score_params, *params, limit], _self_score(query, corpus))


def query_terms(
    title: str, body: str = "", *, using: str = "default"
) -> tuple[list[Term], Corpus]:
    """The weighted lexemes of a query, heaviest first, and the corpus they were weighed by.

    The lexeme statistics first count any ideas added since they were last read.
    """
    title = _sendable(title)[:MAX_TITLE_CHARS]
    body = _sendable(body)[:MAX_BODY_CHARS]
    text = f"{title}\n{body}"
    parts = " ".join(part for token in COMPOUND.findall(text) for part in WORD_PART.findall(token))
    # The word at the very end, with nothing typed after it, may be unfinished.
    last = LAST_WORD.search(body if body.strip() else title)
    params = [title, body, parts, last.group(1) if last else ""]
    with connections[using].cursor() as cursor:
        cursor.execute(QUERY_LEXEMES_SQL, params)
        rows = cursor.fetchall()
        stale = bool(rows) and rows[0][7] is not None and (rows[0][4] or 0) < rows[0][7]
        if stale and refresh_stats(using=using):
            cursor.execute(QUERY_LEXEMES_SQL, params)
            rows = cursor.fetchall()
            stale = False
    if not rows:
        return [], Corpus(ideas=0, mean_length=1.0)
    counted_ideas, counted_lexemes = rows[0][5] or 0, rows[0][6] or 0
    corpus = Corpus(
        ideas=counted_ideas,
        mean_length=max(1.0, counted_lexemes / max(1, counted_ideas)),
        current=not stale,
    )

    counts: dict[str, int] = {}
    ideas_with: dict[str, int] = {}
    in_title: set[str] = set()
    in_body: set[str] = set()
    part_lexemes: list[str] = []
    unfinished = ""
    for part, lexeme, count, ideas, *_coverage in rows:
        ideas_with[lexeme] = ideas
        if part in ("title", "body"):
            counts[lexeme] = counts.get(lexeme, 0) + count
            (in_title if part == "title" else in_body).add(lexeme)
        elif part == "parts":
            part_lexemes.append(lexeme)
        elif ideas == 0:
            unfinished = lexeme

    has_body = bool(body.strip())
    boost = QUERY_TITLE_BOOST if has_body else 1.0
    terms = {
        lexeme: Term(
            lexeme,
            _idf(ideas_with[lexeme], corpus) ** 2
            * (1 + math.log(count))
            * (boost if lexeme in in_title else 1.0),
            ideas_with[lexeme],
            # An idea saying exactly the query has it in its title, its body, or both.
            TITLE_TF * (lexeme in in_title or not has_body) + (lexeme in in_body),
        )
        for lexeme, count in counts.items()
    }
    for lexeme in part_lexemes:
        if lexeme not in terms:
            # Not a lexeme of the query's own vector, so not of an idea that repeats it.
            weight = _idf(ideas_with[lexeme], corpus) ** 2 * PART_WEIGHT
            terms[lexeme] = Term(lexeme, weight, ideas_with[lexeme], own_tf=0)
    completions = _completions(unfinished, using=using) if unfinished else []
    if completions:
        terms.pop(unfinished, None)  # Rather its completions, of which one counts as typed.
        for rank, (lexeme, ideas) in enumerate(completions):
            own_tf = (1 if has_body else TITLE_TF) if rank == 0 else 0
            weight = _idf(ideas, corpus) ** 2 * PREFIX_WEIGHT
            terms.setdefault(lexeme, Term(lexeme, weight, ideas, own_tf))
    return sorted(terms.values(), key=lambda term: (-term.weight, term.lexeme)), corpus


def refresh_stats(*, full: bool = False, using: str = "default") -> bool:
    """Count the lexemes of the ideas added since the last count (of all ideas if `full`);
    False if ideas were being written just then, so the count is left to the next lookup.

    Added ideas are what changes the statistics, and counting only them takes a millisecond,
    so every lookup does it first. Edits and deletions drift the counts slightly until a full
    count (`manage.py refresh_similarity_stats`; nightly is plenty).
    """
    from ideas.models import LexemeStat, LexemeStatCoverage

    # SHARE mode waits for (or, NOWAIT, gives up on) every transaction still writing ideas,
    # and holds new ones off until this one ends: a millisecond in autocommit, as in views.
    # Ids come from a sequence as rows are inserted, not as they commit: without the lock an
    # idea could commit with an id below the counted one after the count, and be missed.
    lock = f"LOCK TABLE ideas_idea IN SHARE MODE{'' if full else ' NOWAIT'};"
    try:
        with transaction.atomic(using=using), connections[using].cursor() as cursor:
            if full:
                cursor.execute(lock)
                LexemeStatCoverage.objects.using(using).get_or_create(pk=1)
                LexemeStat.objects.using(using).all().delete()
                LexemeStatCoverage.objects.using(using).filter(pk=1).update(
                    last_idea_id=0, ideas=0, lexemes=0
                )
                cursor.execute(FOLD_SQL)
            else:
                cursor.execute(lock + FOLD_SQL)  # One round trip.
    except OperationalError:  # LockNotAvailable
        return False
    return True


def _idf(ideas: int, corpus: Corpus) -> float:
    """BM25's inverse document frequency: about ln(N / n), and never negative."""
    ideas = min(ideas, corpus.ideas)
    return math.log(1 + (corpus.ideas - ideas + 0.5) / (ideas + 0.5))


def _completions(prefix: str, *, using: str) -> list[tuple[str, int]]:
    """The commonest lexemes that start with `prefix`, with their idea counts."""
    from ideas.models import LexemeStat

    return list(
        LexemeStat.objects.using(using)
        .filter(lexeme__startswith=prefix)
        .exclude(lexeme=prefix)
        .order_by("-ideas", "lexeme")
        .values_list("lexeme", "ideas")[:PREFIX_EXPANSIONS]
    )


def _candidate_filter(
    terms: list[Term], budget: int | None, corpus: Corpus
) -> tuple[Q | None, int]:
    """A GIN-indexable match for the candidates, and how many ideas it should match: ideas
    with any of the query's rarer lexemes, or with two of its commoner ones, within `budget`
    index entries in all. None when no idea has any of the lexemes.

    An idea with only one common word of the query ranks below those with two, or with a
    rare one, so leaving it out rarely changes the top of the list.
    """
    by_rarity = sorted(terms, key=lambda term: (term.ideas, term.lexeme))
    if not by_rarity:
        return None, 0
    if budget is None:
        clauses = [_tsquery_literal(t.lexeme) for t in by_rarity]
        return _tsquery_match(" | ".join(clauses)), sum(t.ideas for t in by_rarity)
    clauses, entries, commoner = [], 0, []
    for count, term in enumerate(by_rarity):
        if entries + term.ideas > budget or len(clauses) == MAX_FILTER_LEXEMES:
            commoner = by_rarity[count : count + PAIR_TERMS]
            break
        clauses.append(_tsquery_literal(term.lexeme))
        entries += term.ideas
    # Expected ideas with both, were words independent (related ones co-occur a little more).
    pairs = sorted(
        (a.ideas * b.ideas / max(1, corpus.ideas), a.lexeme, b.lexeme)
        for a, b in combinations(commoner, 2)
    )
    for expected, a, b in pairs:
        if entries + expected > budget:
            break
        clauses.append(f"{_tsquery_literal(a)} & {_tsquery_literal(b)}")
        entries += expected
    if not clauses:  # A single, very common word, or pairs that common.
        return _tsquery_match(_tsquery_literal(by_rarity[0].lexeme)), by_rarity[0].ideas
    return _tsquery_match(" | ".join(clauses)), int(entries)


def _tsquery_match(tsquery: str) -> Q:
    # A ::tsquery cast, not to_tsquery(): the lexemes are normalised already, and stemming
    # them again could change them.
    return Q(
        Func(
            F("search_vector"),
            Value(tsquery),
            arg_joiner=" @@ ",
            template="%(expressions)s::tsquery",
            output_field=BooleanField(),
        )
    )


def _bm25(terms: list[Term], corpus: Corpus) -> tuple[str, list]:
    """BM25 over the query's lexemes, as SQL on a candidate's `vector`, and its parameters.

    tf is 1 (body), 3 (title) or 4 (both), so each case is written out: a lexeme the idea
    lacks, as most are, then costs a single @@ test and no arithmetic.
    """

    def saturated(tf: int) -> str:  # tf · (k1 + 1) / (tf + K), K = k1 · (1 − b + b · len / avg)
        return f"{tf * (K1 + 1):g}::float8 / ({tf} + %s::float8 + %s::float8 * length(vector))"

    sql = (
        "CASE WHEN vector @@ %s::tsquery THEN %s::float8 * ("
        "CASE WHEN vector @@ %s::tsquery THEN ("
        f"CASE WHEN vector @@ %s::tsquery THEN {saturated(TITLE_TF + 1)} "
        f"ELSE {saturated(TITLE_TF)} END) "
        f"ELSE {saturated(1)} END) "
        "ELSE 0 END"
    )
    norm = [K1 * (1 - B), K1 * B / corpus.mean_length]
    params: list = []
    for term in terms:
        literal = _tsquery_literal(term.lexeme)
        params += [literal, term.weight, f"{literal}:A", f"{literal}:B", *norm * 3]
    return "(" + " + ".join([sql] * len(terms)) + ")", params


def _self_score(terms: list[Term], corpus: Corpus) -> float:
    """The score of an idea whose title (and body) is the query itself."""
    length = sum(1 for term in terms if term.own_tf)
    norm = K1 * (1 - B + B * length / corpus.mean_length)
    return sum(t.weight * t.own_tf * (K1 + 1) / (t.own_tf + norm) for t in terms) or 1.0


def _tsquery_literal(lexeme: str) -> str:
    """A lexeme quoted for tsquery input, whatever characters it holds."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _sendable(text: str) -> str:
    return UNSENDABLE.sub(" ", text or "")
