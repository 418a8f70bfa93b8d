// Recipe library `fde`: full-disk encryption sealed to a (v)TPM, as Canonical's encrypt-cloud-image does it.
// Use it with:  use 'fde@1'   and then, inside a pipeline:  def enc = fde.encrypt(image: disk.image, passphrase: secret(file: 'root.key'))
// Every recipe is made of public steps only (disk.encrypt, uefi.config, uki.sign, measure.vtpm, tpm.seal,
// disk.deploy); `sealwright recipes show fde` lists parameters and outputs. Step names start with `prefix` (`prefix: ''`: the bare names).
library 'fde', version: '1.0.0', description: 'full-disk encryption sealed to predicted (v)TPM PCRs (encrypt-cloud-image flow, UKI boot)'

recipe('encrypt') {
    description 'encrypt a disk image\'s root filesystem in place into LUKS2 (encrypt-cloud-image parameters, label LABEL-enc)'
    param 'image', 'GPT disk image with an ext4 root partition (a diskImage step\'s image)', type: 'file'
    param 'passphrase', 'the recovery passphrase, keyslot 0', type: 'secret'
    stepPrefix 'fde'
    output 'image', 'the encrypted disk image'
    example "def enc = fde.encrypt(image: cloud.image, passphrase: secret(file: 'root.key'))"
    body { args ->
        def e = diskEncrypt(args.stepName('encrypted-image')) { image args.image; passphrase args.passphrase }
        [image: e.image]
    }
}

recipe('uefiConfig') {
    description 'PK, KEK, db and dbx of an OVMF variable store as encrypt-cloud-image\'s uefi-config.json'
    param 'vars', 'the OVMF_VARS file the VM boots with', type: 'file'
    stepPrefix 'fde'
    output 'config', 'uefi-config.json'
    example "fde.uefiConfig(vars: file('/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd'))"
    body { args ->
        def c = uefiConfig(args.stepName('uefi-config')) { vars args.vars }
        [config: c.config]
    }
}

recipe('seal') {
    description 'predict the PCRs OVMF + swtpm measure when booting a UKI, and seal a secret to them under the target TPM\'s SRK'
    param 'uki', 'the (signed) UKI the firmware boots', type: 'file'
    param 'code', 'OVMF code', type: 'file'
    param 'vars', 'OVMF variables (PK, KEK, db, dbx)', type: 'file'
    param 'srkPub', 'the target TPM\'s SRK public area (tpm2_readpublic -o)', type: 'file'
    param 'data', 'the secret to seal, 1..128 bytes', type: 'secret'
    param 'pcrs', 'PCRs to seal to', type: 'string', default: '7,4'
    param 'secureBoot', 'the firmware enforces Secure Boot', type: 'boolean', default: true
    stepPrefix 'fde'
    output 'expected', 'the predicted PCR values and events (expected.json)'
    output 'sealed', 'the sealed object (sealed.pub, sealed.dpriv, sealed.seed) for tpm2_import'
    example "def s = fde.seal(uki: signed.uki, code: file(params.code), vars: file(params.vars), srkPub: file('srk.pub'), data: secret(file: 'key'))"
    body { args ->
        def p = measure.vtpm(args.stepName('pcrs')) {
            firmwareCode args.code; firmwareVars args.vars; uki args.uki; secureBoot args.secureBoot
        }
        def s = tpmSeal(args.stepName('sealed')) {
            srkPub args.srkPub; pcrs "sha256:${args.pcrs}"; pcrValues p.expected; data args.data
        }
        [expected: p.expected, sealed: s.sealed]
    }
}

recipe('deploy') {
    description 'sign a UKI for Secure Boot, predict PCRs 7 and 4 for it, and deploy an encrypted image with a systemd-tpm2 token sealed to them'
    param 'image', 'the encrypted disk image (fde.encrypt\'s image)', type: 'file'
    param 'uki', 'the UKI to boot (a pack step\'s uki)', type: 'file'
    param 'dbKey', 'the db signing key: secret(file: ...) or a keyDecrypt step\'s key', type: 'secret'
    param 'dbCert', 'its PEM certificate, enrolled in the vars\' db', type: 'file'
    param 'code', 'Secure Boot OVMF code', type: 'file'
    param 'vars', 'its variables (PK, KEK, db = dbCert)', type: 'file'
    param 'srkPub', 'the target TPM\'s SRK public area (tpm2_readpublic -o)', type: 'file'
    param 'passphrase', 'the passphrase that opens the image (keyslot 0)', type: 'secret'
    param 'pcrs', 'PCRs the token is sealed to', type: 'string', default: '7,4'
    param 'espKey', 'also write the sealed key file to the image\'s ESP', type: 'boolean', default: true
    stepPrefix 'fde'
    output 'uki', 'the signed UKI'
    output 'expected', 'the predicted PCR values and events (expected.json)'
    output 'image', 'the deployed disk image (systemd-tpm2 token + recovery keyslot)'
    output 'recoveryKey', 'the recovery key of the deployed image'
    example "def d = fde.deploy(image: enc.image, uki: hello.uki, dbKey: secret(file: 'db.key'), dbCert: file('db.pem'), code: file(params.code), vars: file(params.vars), srkPub: file('srk.pub'), passphrase: secret(file: 'root.key'))"
    body { args ->
        def signed = ukiSign(args.stepName('signed-uki')) { uki args.uki; key args.dbKey; cert args.dbCert }
        def predicted = measure.vtpm(args.stepName('pcrs')) {
            firmwareCode args.code; firmwareVars args.vars; uki signed.uki; secureBoot true
        }
        def deployed = diskDeploy(args.stepName('deployed-image')) {
            image args.image; srkPub args.srkPub; pcrValues predicted.expected; pcrs args.pcrs
            passphrase args.passphrase; espKey args.espKey
        }
        [uki: signed.uki, expected: predicted.expected, image: deployed.image, recoveryKey: deployed.recoveryKey]
    }
}
