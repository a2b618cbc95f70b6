"""Stock moves are append-only, enforced by the database itself (SQLite and PostgreSQL).

No move is ever deleted. An update is refused, except that a move whose cost is not final yet (an outgoing move
of an open month under monthly weighted average) may have its `unit_cost`, `value` and `cost_final` written by
the month-end costing run — every other column stays as posted.
"""

from django.db import migrations

FIXED = (
    "organization_id",
    "date",
    "product_id",
    "warehouse_id",
    "lot_id",
    "kind",
    "quantity",
    "source_type",
    "source_id",
    "created_at",
)

SQLITE = [
    """CREATE TRIGGER inventory_stockmove_no_delete BEFORE DELETE ON inventory_stockmove
       BEGIN SELECT RAISE(ABORT, 'stock moves are never deleted'); END""",
    "CREATE TRIGGER inventory_stockmove_no_update BEFORE UPDATE ON inventory_stockmove WHEN OLD.cost_final = 1 OR "
    + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FIXED)
    + " BEGIN SELECT RAISE(ABORT, 'stock moves are immutable'); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS inventory_stockmove_no_delete",
    "DROP TRIGGER IF EXISTS inventory_stockmove_no_update",
]

POSTGRES = [
    """CREATE FUNCTION inventory_refuse_stockmove_change() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN
           RAISE EXCEPTION 'stock move % is never deleted', OLD.id USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         IF OLD.cost_final OR """
    + " OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in FIXED)
    + """ THEN
           RAISE EXCEPTION 'stock move % is immutable', OLD.id USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         RETURN NEW;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER inventory_stockmove_immutable BEFORE UPDATE OR DELETE ON inventory_stockmove
       FOR EACH ROW EXECUTE FUNCTION inventory_refuse_stockmove_change()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS inventory_stockmove_immutable ON inventory_stockmove",
    "DROP FUNCTION IF EXISTS inventory_refuse_stockmove_change()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"no immutability triggers for {schema_editor.connection.vendor}")
        for sql in statements:
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("inventory", "0002_stock_ledger")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]
