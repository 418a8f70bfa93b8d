-- Key broker state (docs/kbs.md "State"). Portable SQL: the same file runs on H2 and PostgreSQL.
-- Times are epoch milliseconds; binary values are base64 text.

-- Challenges: issued → consumed (by one attest) or expired. Consuming is one conditional UPDATE.
CREATE TABLE kbs_nonce (
    nonce       VARCHAR(44)  NOT NULL PRIMARY KEY,
    resource    VARCHAR(256) NOT NULL,
    tee         VARCHAR(8)   NOT NULL,
    tee_pubkey  VARCHAR(128) NOT NULL,
    issued_at   BIGINT       NOT NULL,
    expires_at  BIGINT       NOT NULL,
    issued_by   VARCHAR(128) NOT NULL,
    state       VARCHAR(9)   NOT NULL CHECK (state IN ('issued', 'consumed', 'expired')),
    consumed_at BIGINT,
    consumed_by VARCHAR(128)
);
CREATE INDEX kbs_nonce_state ON kbs_nonce (state, expires_at);

-- Append-only: the broker only INSERTs here.
CREATE TABLE kbs_audit (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at_time        VARCHAR(40)  NOT NULL,
    replica        VARCHAR(128) NOT NULL,
    remote         VARCHAR(128) NOT NULL,
    tee            VARCHAR(256),
    tee_key        VARCHAR(16),
    resource       VARCHAR(256),
    nonce          VARCHAR(44),
    verdict        VARCHAR(6)   NOT NULL,
    status         INT          NOT NULL,
    reason         VARCHAR(1024),
    tcb_status     VARCHAR(256),
    simulated      BOOLEAN      NOT NULL,
    policy_version INT          NOT NULL
);

-- Secrets sealed under the key-encryption key (AES-256-GCM; the KEK is never stored here).
CREATE TABLE kbs_resource (
    name       VARCHAR(256) NOT NULL PRIMARY KEY,
    sealed     VARCHAR(2000000) NOT NULL,
    kek_id     VARCHAR(16)  NOT NULL,
    updated_at BIGINT       NOT NULL
);

-- Every policy a replica started with; the newest start's version is in force.
CREATE TABLE kbs_policy (
    version   INT          NOT NULL PRIMARY KEY,
    sha256    VARCHAR(64)  NOT NULL UNIQUE,
    loaded_at BIGINT       NOT NULL,
    loaded_by VARCHAR(128) NOT NULL
);
CREATE TABLE kbs_policy_in_force (
    id      INT NOT NULL PRIMARY KEY CHECK (id = 1),
    version INT NOT NULL REFERENCES kbs_policy (version)
);
