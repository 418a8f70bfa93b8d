package dev.sealwright.kbs

import dev.sealwright.testkit.Postgres
import spock.lang.Shared

/** Every {@link KbsSlowClientSpec} case (stalled peers, deadlines, connection limits) on a real PostgreSQL store. */
class KbsPostgresSlowClientSpec extends KbsSlowClientSpec {
    @Shared Postgres pg

    def setupSpec() {
        pg = new Postgres()
        String url = pg.createDatabase('slow')   // one database for all cases: nonces are random, each case reads its own audit file
        KbsFixture.storeFactory = { url }
    }

    def cleanupSpec() {
        KbsFixture.storeFactory = null
        pg?.close()
    }
}
