-- cascade's forward trace (docs/graph.md "Propagation rules") as one recursive CTE over the
-- edge table, for bench/graph_vs_cte.sh: the same SQL as bench/graph_cte_sqlite.sql, run by psql
-- with -v seed=ID -v since=T (-9223372036854775807 stands for "from the start").
--
-- Each stored edge is walked in the direction compromise travels: src -> dst for ran-on (0),
-- access (1), produced (4), deployed-on (6) and owned-by (7); dst -> src for built-on (2),
-- consumed (3) and contains (5). An absent t is -inf and an absent u +inf (docs/graph.md), with
-- -9223372036854775807 standing for -inf. MIN cannot appear in the recursive term, so the
-- query enumerates distinct (node, time) pairs (UNION: set semantics) and takes the earliest
-- per node outside. One reference to `reach` only, as PostgreSQL requires: the two directions
-- are one OR join, served by the indexes edge(src) and edge(dst).
WITH RECURSIVE reach(node, t) AS (
  SELECT CAST(:seed AS BIGINT), CAST(:since AS BIGINT)
  UNION
  SELECT CASE WHEN e.kind IN (2, 3, 5) THEN e.src ELSE e.dst END,
         CASE WHEN e.kind IN (5, 7) OR e.t_from IS NULL OR r.t >= e.t_from THEN r.t
              ELSE e.t_from END
  FROM reach r
  JOIN edge e
    ON (e.src = r.node AND e.kind IN (0, 1, 4, 6, 7))
    OR (e.dst = r.node AND e.kind IN (2, 3, 5))
  WHERE CASE e.kind
          WHEN 1 THEN e.t_until IS NULL OR r.t <= e.t_until
          WHEN 2 THEN r.t <= COALESCE(e.t_until, e.t_from, 9223372036854775807)
          WHEN 6 THEN r.t <= COALESCE(e.t_from, 9223372036854775807)
          ELSE TRUE
        END
)
SELECT node, NULLIF(MIN(t), -9223372036854775807) FROM reach GROUP BY node;
