-- Smoke test: pgTAP runs inside a database cloned from the migrated template.
-- Depends on: the pgtap extension created in the template by tests/conftest.py.
begin;
select plan(2);

select ok(true, 'pgTAP runs inside the test database');
select has_extension('pgtap', 'pgTAP is installed in the cloned database');

select * from finish();
rollback;
