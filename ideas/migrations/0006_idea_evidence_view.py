"""The ideas_idea_evidence view: evidence and priority score per idea, computed in SQL.

See docs/scoring.md for the formula. Weights come from ideas_scoringweights, with the
model's defaults when the row is missing.
"""

from django.db import migrations

WEIGHTS = """
    SELECT COALESCE(MAX(voters), 1.0) AS voters,
           COALESCE(MAX(accounts), 2.0) AS accounts,
           COALESCE(MAX(arr), 1.5) AS arr,
           COALESCE(MAX(pipeline), 1.0) AS pipeline,
           COALESCE(MAX(revenue_at_risk), 1.5) AS revenue_at_risk,
           COALESCE(MAX(deal_breakers), 2.0) AS deal_breakers,
           COALESCE(MAX(momentum), 1.0) AS momentum,
           COALESCE(MAX(strength), 3.0) AS strength,
           COALESCE(MAX(strategic_fit), 1.0) AS strategic_fit,
           COALESCE(MAX(effort), 1.0) AS effort,
           COALESCE(MAX(win_probability_prospect), 0.1) AS p_prospect,
           COALESCE(MAX(win_probability_open), 0.3) AS p_open
      FROM ideas_scoringweights
"""

CREATE_VIEW = f"""
CREATE VIEW ideas_idea_evidence AS
SELECT
    i.id AS idea_id,
    b.voters, b.accounts, b.arr, b.signals, b.deal_breakers,
    b.open_deals, b.open_deal_value, b.pipeline, b.revenue_at_risk,
    b.recent, b.previous, b.roles, b.sources, b.last_evidence_at,
    x.strength, x.momentum,
    p.part_voters, p.part_accounts, p.part_arr, p.part_pipeline, p.part_revenue_at_risk,
    p.part_deal_breakers, p.part_momentum, p.part_strength, p.part_strategic_fit, p.part_effort,
    p.part_voters + p.part_accounts + p.part_arr + p.part_pipeline + p.part_revenue_at_risk
      + p.part_deal_breakers + p.part_momentum + p.part_strength + p.part_strategic_fit
      + p.part_effort AS score
FROM ideas_idea i
CROSS JOIN ({WEIGHTS}) w
LEFT JOIN (
    SELECT idea_id,
           COUNT(*) AS voters,
           COUNT(*) FILTER (WHERE created_at >= now() - interval '30 days') AS recent,
           COUNT(*) FILTER (WHERE created_at >= now() - interval '60 days'
                              AND created_at < now() - interval '30 days') AS previous,
           MAX(created_at) AS last_at
      FROM ideas_vote GROUP BY idea_id
) v ON v.idea_id = i.id
LEFT JOIN (
    SELECT idea_id,
           COUNT(*) AS signals,
           COUNT(*) FILTER (WHERE importance = 'deal_breaker') AS deal_breakers,
           COUNT(*) FILTER (WHERE heard_on >= CURRENT_DATE - 30) AS recent,
           COUNT(*) FILTER (WHERE heard_on >= CURRENT_DATE - 60
                              AND heard_on < CURRENT_DATE - 30) AS previous,
           MAX(heard_on)::timestamptz AS last_at,
           COUNT(DISTINCT source) AS sources
      FROM ideas_signal WHERE idea_id IS NOT NULL GROUP BY idea_id
) s ON s.idea_id = i.id
LEFT JOIN (
    -- Each account once, whether it voted, sent signals, or both.
    SELECT ia.idea_id, COUNT(*) AS accounts, SUM(a.arr) AS arr
      FROM (SELECT idea_id, account_id FROM ideas_signal
             WHERE idea_id IS NOT NULL AND account_id IS NOT NULL
            UNION
            SELECT vt.idea_id, u.account_id FROM ideas_vote vt
              JOIN portal_user u ON u.id = vt.user_id
             WHERE u.account_id IS NOT NULL) ia
      JOIN ideas_account a ON a.id = ia.account_id
     GROUP BY ia.idea_id
) acc ON acc.idea_id = i.id
LEFT JOIN (
    -- One open deal per account (several reps may log the same deal): its largest value.
    SELECT deal.idea_id, COUNT(*) AS open_deals, SUM(deal.value) AS open_deal_value,
           SUM(deal.weighted) AS pipeline
      FROM (SELECT sg.idea_id, sg.account_id,
                   MAX(sg.opportunity_value) AS value,
                   MAX(sg.opportunity_value * CASE sg.deal_stage WHEN 'prospect'
                       THEN wp.p_prospect ELSE wp.p_open END) AS weighted
              FROM ideas_signal sg CROSS JOIN ({WEIGHTS}) wp
             WHERE sg.idea_id IS NOT NULL AND sg.account_id IS NOT NULL
               AND sg.deal_stage IN ('prospect', 'open')
             GROUP BY sg.idea_id, sg.account_id) deal
     GROUP BY deal.idea_id
) d ON d.idea_id = i.id
LEFT JOIN (
    -- ARR of each account whose signal says the renewal is at risk or the deal was lost.
    SELECT ra.idea_id, SUM(a.arr) AS revenue_at_risk
      FROM (SELECT DISTINCT idea_id, account_id FROM ideas_signal
             WHERE idea_id IS NOT NULL AND account_id IS NOT NULL
               AND deal_stage IN ('renewal_at_risk', 'lost')) ra
      JOIN ideas_account a ON a.id = ra.account_id
     GROUP BY ra.idea_id
) r ON r.idea_id = i.id
LEFT JOIN (
    -- The roles of everyone behind the idea: voters, reps who captured signals, commenters.
    SELECT rr.idea_id, COUNT(DISTINCT rr.role) AS roles
      FROM (SELECT vt.idea_id, u.role FROM ideas_vote vt JOIN portal_user u ON u.id = vt.user_id
            UNION
            SELECT sg.idea_id, u.role FROM ideas_signal sg
              JOIN portal_user u ON u.id = sg.captured_by_id WHERE sg.idea_id IS NOT NULL
            UNION
            SELECT cm.idea_id, u.role FROM ideas_comment cm
              JOIN portal_user u ON u.id = cm.author_id) rr
     GROUP BY rr.idea_id
) ro ON ro.idea_id = i.id
LEFT JOIN (
    SELECT idea_id, COUNT(*) AS comments FROM ideas_comment
     WHERE NOT is_internal GROUP BY idea_id
) c ON c.idea_id = i.id
CROSS JOIN LATERAL (
    SELECT COALESCE(v.voters, 0) AS voters,
           COALESCE(acc.accounts, 0) AS accounts,
           COALESCE(acc.arr, 0) AS arr,
           COALESCE(s.signals, 0) AS signals,
           COALESCE(s.deal_breakers, 0) AS deal_breakers,
           COALESCE(d.open_deals, 0) AS open_deals,
           COALESCE(d.open_deal_value, 0) AS open_deal_value,
           COALESCE(d.pipeline, 0) AS pipeline,
           COALESCE(r.revenue_at_risk, 0) AS revenue_at_risk,
           COALESCE(v.recent, 0) + COALESCE(s.recent, 0) AS recent,
           COALESCE(v.previous, 0) + COALESCE(s.previous, 0) AS previous,
           COALESCE(ro.roles, 0) AS roles,
           -- The forum (votes, public comments) counts as one source beside each signal source.
           CASE WHEN COALESCE(v.voters, 0) + COALESCE(c.comments, 0) > 0 THEN 1 ELSE 0 END
             + COALESCE(s.sources, 0) AS sources,
           GREATEST(v.last_at, s.last_at) AS last_evidence_at
) b
CROSS JOIN LATERAL (
    SELECT 0.4 * LEAST(b.accounts / 5.0, 1.0)
             + 0.2 * LEAST(b.roles / 3.0, 1.0)
             + 0.2 * LEAST(b.sources / 4.0, 1.0)
             + 0.2 * COALESCE(EXP(-EXTRACT(EPOCH FROM now() - b.last_evidence_at) / 86400.0 / 90.0), 0)
             AS strength,
           LN((1.0 + b.recent) / (1.0 + b.previous)) AS momentum
) x0
CROSS JOIN LATERAL (
    SELECT x0.strength::float8 AS strength, x0.momentum::float8 AS momentum
) x
CROSS JOIN LATERAL (
    SELECT w.voters * LN(1 + b.voters)::float8 AS part_voters,
           w.accounts * LN(1 + b.accounts)::float8 AS part_accounts,
           w.arr * LN(1 + b.arr / 10000)::float8 AS part_arr,
           w.pipeline * LN(1 + b.pipeline / 10000)::float8 AS part_pipeline,
           w.revenue_at_risk * LN(1 + b.revenue_at_risk / 10000)::float8 AS part_revenue_at_risk,
           w.deal_breakers * LN(1 + b.deal_breakers)::float8 AS part_deal_breakers,
           w.momentum * x.momentum AS part_momentum,
           w.strength * x.strength AS part_strength,
           w.strategic_fit * COALESCE(i.strategic_fit, 0)::float8 AS part_strategic_fit,
           -w.effort * LN(1 + COALESCE(i.effort, 0))::float8 AS part_effort
) p
"""


class Migration(migrations.Migration):
    dependencies = [("ideas", "0005_scoring_weights_row")]

    operations = [
        migrations.RunSQL(CREATE_VIEW, "DROP VIEW IF EXISTS ideas_idea_evidence"),
    ]
