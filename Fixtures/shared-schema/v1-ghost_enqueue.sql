-- ghost_enqueue as schema version 1 (3d1d441) created it, for the upgrade test (SharedStoreTests).
CREATE OR REPLACE FUNCTION ghost_enqueue(
    q text, pids text[], hashes text[], payloads bytea[], srcs text[], fnames text[], receiveds timestamptz[],
    node text, proles text[]
) RETURNS TABLE (idx integer, state text, seq bigint, attempt integer, receipt text, name text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    nxt bigint;
    i integer;
    prev_seq bigint;
    prev_hash text;
    prev_status text;
    prev_attempt integer;
    prev_receipt text;
    prev_name text;
    queued boolean := false;
BEGIN
    SELECT c.next_seq INTO nxt FROM ghost_counters c WHERE c.queue = q FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT g::integer, 'unknown'::text, 0::bigint, 0, NULL::text, NULL::text
            FROM generate_series(1, cardinality(pids)) g;
        RETURN;
    END IF;
    FOR i IN 1 .. cardinality(pids) LOOP
        SELECT p.seq, p.content_sha256, p.status, p.attempt, p.receipt, p.name
            INTO prev_seq, prev_hash, prev_status, prev_attempt, prev_receipt, prev_name
            FROM ghost_patches p WHERE p.id = pids[i] AND p.queue = q ORDER BY p.seq DESC LIMIT 1;
        IF FOUND AND prev_status <> 'failed' THEN
            idx := i;
            state := CASE WHEN prev_hash = hashes[i] THEN 'duplicate' ELSE 'conflict' END;
            seq := prev_seq;
            attempt := prev_attempt;
            receipt := prev_receipt;
            name := prev_name;
            RETURN NEXT;
            CONTINUE;
        END IF;
        prev_attempt := COALESCE(prev_attempt, 0);
        INSERT INTO ghost_patches (queue, seq, id, attempt, role, content_sha256, body, source, name, received_at, accepted_by)
            VALUES (q, nxt, pids[i], prev_attempt + 1, proles[i], hashes[i], payloads[i], srcs[i], fnames[i], receiveds[i], node);
        idx := i;
        state := 'queued';
        seq := nxt;
        attempt := prev_attempt + 1;
        receipt := NULL;
        name := fnames[i];
        RETURN NEXT;
        nxt := nxt + 1;
        queued := true;
    END LOOP;
    IF queued THEN
        UPDATE ghost_counters c SET next_seq = nxt WHERE c.queue = q;
        PERFORM pg_notify('ghost_wake', q);
    END IF;
END
$$
