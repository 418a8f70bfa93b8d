package dev.sealwright.dsl

import dev.sealwright.engine.StepType

/** {@code archive { from dir; mtime 0 }}: pack a directory into a reproducible tar.gz. */
class ArchiveSpec extends StepSpec {
    ArchiveSpec(StepType type, PipelineSpec p) { super(type, p) }
    /** Directory to pack: {@code file('dir')} or another step's directory output. */
    void from(Object dir) { set('from', dir) }
    /** Timestamp of every entry (SOURCE_DATE_EPOCH), default 0. */
    void mtime(long epochSeconds) { set('mtime', epochSeconds) }
}

/** {@code extract { archive bundle.archive }}: unpack a tar or tar.gz safely. */
class ExtractSpec extends StepSpec {
    ExtractSpec(StepType type, PipelineSpec p) { super(type, p) }
    void archive(Object file) { set('archive', file) }
}

/** {@code digest { from tree }}: SHA256SUMS of a file or tree. */
class DigestSpec extends StepSpec {
    DigestSpec(StepType type, PipelineSpec p) { super(type, p) }
    void from(Object fileOrDir) { set('from', fileOrDir) }
}

/** {@code manifest { files tree; sums list; title 'x' }}: JSON manifest checked against SHA256SUMS. */
class ManifestSpec extends StepSpec {
    ManifestSpec(StepType type, PipelineSpec p) { super(type, p) }
    void files(Object dir) { set('files', dir) }
    void sums(Object sha256sums) { set('sums', sha256sums) }
    void title(String title) { set('title', title) }
}

/** {@code exec { command 'sha256sum', '-c', sums; cwd tree }}: run a program, keep its stdout. */
class ExecSpec extends StepSpec {
    ExecSpec(StepType type, PipelineSpec p) { super(type, p) }
    void command(Object... words) { set('command', words) }
    void cwd(Object dir) { set('cwd', dir) }
    void timeout(long seconds) { set('timeout', seconds) }
}
