package dev.sealwright.kbs

import dev.sealwright.testkit.Postgres
import spock.lang.Shared

/** Every {@link KbsProtocolSpec} case (grants, refusals, replay, expiry, one nonce raced by 16 clients) on a real PostgreSQL store. */
class KbsPostgresProtocolSpec extends KbsProtocolSpec {
    @Shared Postgres pg
    @Shared int databases

    def setupSpec() {
        pg = new Postgres()
        KbsFixture.storeFactory = { pg.createDatabase("protocol${++databases}") }
    }

    def cleanupSpec() {
        KbsFixture.storeFactory = null
        pg?.close()
    }
}
