package dev.sealwright.kbs

import dev.sealwright.testkit.Postgres
import spock.lang.Shared

/** Every {@link KbsProtocolSpec} case (grants, refusals, replay, expiry, one nonce raced by 16 clients) on a real PostgreSQL store. */
class KbsPostgresProtocolSpec extends KbsProtocolSpec {
    @Shared Postgres pg

    def setupSpec() {
        pg = new Postgres()
        String url = pg.createDatabase('protocol')   // one database for all cases: nonces are random, each case reads its own audit file
        KbsFixture.storeFactory = { url }
    }

    def cleanupSpec() {
        KbsFixture.storeFactory = null
        pg?.close()
    }
}
