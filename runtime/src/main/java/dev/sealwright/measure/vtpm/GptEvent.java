package dev.sealwright.measure.vtpm;

import dev.sealwright.measure.event.BootEvent;
import dev.sealwright.measure.event.EventType;
import dev.sealwright.measure.event.UefiGptData;

import java.nio.file.Path;

/** PCR 5 EV_EFI_GPT_EVENT of the boot disk: the digest is over the whole {@link UefiGptData}. */
public final class GptEvent {
    private GptEvent() {}

    public static BootEvent of(Path disk) {
        byte[] d = UefiGptData.read(disk);
        return TpmBootEvents.measuring(5, EventType.EV_EFI_GPT_EVENT, d, d, "GPT of " + disk.getFileName() + ", " + UefiGptData.partitions(d) + " partition(s)");
    }
}
