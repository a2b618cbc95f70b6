"""Posted vouchers and their lines are immutable, enforced by the database itself (SQLite and PostgreSQL).

The services have no path that changes a posted row; these triggers make sure no other path can either.
Corrections are reversing vouchers.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER accounting_voucher_posted_no_update BEFORE UPDATE ON accounting_voucher
       WHEN OLD.status = 'posted'
       BEGIN SELECT RAISE(ABORT, 'posted voucher is immutable'); END""",
    """CREATE TRIGGER accounting_voucher_posted_no_delete BEFORE DELETE ON accounting_voucher
       WHEN OLD.status = 'posted'
       BEGIN SELECT RAISE(ABORT, 'posted voucher is immutable'); END""",
    """CREATE TRIGGER accounting_line_posted_no_update BEFORE UPDATE ON accounting_voucherline
       WHEN (SELECT status FROM accounting_voucher WHERE id = OLD.voucher_id) = 'posted'
       BEGIN SELECT RAISE(ABORT, 'line of a posted voucher is immutable'); END""",
    """CREATE TRIGGER accounting_line_posted_no_delete BEFORE DELETE ON accounting_voucherline
       WHEN (SELECT status FROM accounting_voucher WHERE id = OLD.voucher_id) = 'posted'
       BEGIN SELECT RAISE(ABORT, 'line of a posted voucher is immutable'); END""",
    """CREATE TRIGGER accounting_line_posted_no_insert BEFORE INSERT ON accounting_voucherline
       WHEN (SELECT status FROM accounting_voucher WHERE id = NEW.voucher_id) = 'posted'
       BEGIN SELECT RAISE(ABORT, 'a posted voucher gets no new lines'); END""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "accounting_voucher_posted_no_update",
        "accounting_voucher_posted_no_delete",
        "accounting_line_posted_no_update",
        "accounting_line_posted_no_delete",
        "accounting_line_posted_no_insert",
    )
]

POSTGRES = [
    """CREATE FUNCTION accounting_refuse_posted_voucher() RETURNS trigger AS $$
       BEGIN
         IF OLD.status = 'posted' THEN
           RAISE EXCEPTION 'posted voucher % is immutable', OLD.id USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
         RETURN NEW;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER accounting_voucher_posted_immutable BEFORE UPDATE OR DELETE ON accounting_voucher
       FOR EACH ROW EXECUTE FUNCTION accounting_refuse_posted_voucher()""",
    """CREATE FUNCTION accounting_refuse_posted_line() RETURNS trigger AS $$
       DECLARE vid bigint;
       BEGIN
         IF TG_OP = 'INSERT' THEN vid := NEW.voucher_id; ELSE vid := OLD.voucher_id; END IF;
         IF EXISTS (SELECT 1 FROM accounting_voucher WHERE id = vid AND status = 'posted') THEN
           RAISE EXCEPTION 'lines of posted voucher % are immutable', vid
             USING ERRCODE = 'integrity_constraint_violation';
         END IF;
         IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
         RETURN NEW;
       END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER accounting_line_posted_immutable BEFORE INSERT OR UPDATE OR DELETE ON accounting_voucherline
       FOR EACH ROW EXECUTE FUNCTION accounting_refuse_posted_line()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS accounting_line_posted_immutable ON accounting_voucherline",
    "DROP FUNCTION IF EXISTS accounting_refuse_posted_line()",
    "DROP TRIGGER IF EXISTS accounting_voucher_posted_immutable ON accounting_voucher",
    "DROP FUNCTION IF EXISTS accounting_refuse_posted_voucher()",
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
    dependencies = [("accounting", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]
