"""Trending: recent votes weigh more, with a half-life of HALF_LIFE_DAYS.

An idea's trending weight at time T is  Σ 2^-((T - t_i) / h)  over its votes t_i, plus its own
creation as one virtual vote (so a new idea surfaces briefly). Every idea's weight shrinks by
the same factor as T moves on, so the order only needs  S = ln Σ e^(t_i / τ)  with τ = h / ln 2,
which never changes except when a vote arrives or leaves. A new vote at time t updates it in
O(1):  S ← max(S, x) + ln(1 + e^-|S - x|)  with x = t / τ  (log-add-exp, no overflow). The
column is indexed, so sorting by trending is as cheap as sorting by votes.
"""

import datetime as dt
import math

from django.db.models import Expression, F, FloatField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Abs, Coalesce, Exp, Extract, Greatest, Ln

HALF_LIFE_DAYS = 7.0
TAU_DAYS = HALF_LIFE_DAYS / math.log(2)
EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def exponent(moment: dt.datetime) -> float:
    """x = t / τ, with t in days since EPOCH."""
    return (moment - EPOCH).total_seconds() / 86400 / TAU_DAYS


def creation_score(created_at: dt.datetime) -> float:
    return exponent(created_at)


def add_vote_expression(moment: dt.datetime) -> Expression:
    """SQL for S ← log-add-exp(S, x): the new trending_score after a vote at `moment`."""
    x = Value(exponent(moment))
    score = F("trending_score")
    return Greatest(score, x) + Ln(Value(1.0) + Exp(-Abs(score - x)))


def weight_now(score: float, now: dt.datetime) -> float:
    """The decayed vote weight that `score` stands for at `now` (for display and tests)."""
    return math.exp(score - exponent(now))


def exponent_of(field: str) -> Expression:
    """SQL for x = t / τ of a datetime column."""
    return (Extract(field, "epoch") - Value(EPOCH.timestamp())) / Value(86400 * TAU_DAYS)


def exact_score_expression() -> Expression:
    """SQL for an idea's trending_score rebuilt from its creation and all its vote rows."""
    from ideas.models import Vote

    votes = (
        Vote.objects.filter(idea=OuterRef("pk"))
        .order_by()
        .values("idea")
        .annotate(total=Sum(Exp(exponent_of("created_at"))))
        .values("total")
    )
    return Ln(
        Exp(exponent_of("created_at"))
        + Coalesce(Subquery(votes, output_field=FloatField()), Value(0.0))
    )
