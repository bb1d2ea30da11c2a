//! The organisation's signing identity: an X.509 certificate and its RSA key, read from PEM
//! files. Configured by path (`ATTEST_SIGNING_CERT`, `ATTEST_SIGNING_KEY`); when neither is set
//! and the default files do not exist yet, a self-signed certificate and key are generated and
//! stored with owner-only permissions, and the log says so. The cryptography is RustCrypto's
//! (`rsa`, `x509-cert`, `cms`); nothing here implements a primitive.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use cms::builder::{create_signing_time_attribute, SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use der::{DecodePem, Encode, EncodePem};
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::RsaPrivateKey;
use sha2::Sha256;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;
use x509_cert::Certificate;

use crate::error::{Error, StartupError};

/// Where the certificate and key are, and whether an operator chose those paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigningPaths {
    pub certificate: PathBuf,
    pub key: PathBuf,
    /// Chosen paths must exist; only the defaults are generated when missing.
    pub configured: bool,
}

impl SigningPaths {
    pub const CERTIFICATE_FILE: &'static str = "attest-signing-cert.pem";
    pub const KEY_FILE: &'static str = "attest-signing-key.pem";

    /// From `ATTEST_SIGNING_CERT` and `ATTEST_SIGNING_KEY` (both or neither). Without them the
    /// pair lives in a `signing` folder beside the SQLite database (`data/signing` for
    /// PostgreSQL), so each database keeps its own.
    pub fn from_lookup(
        lookup: &impl Fn(&str) -> Option<String>,
        default_dir: &Path,
    ) -> Result<Self, StartupError> {
        let cert = lookup("ATTEST_SIGNING_CERT").filter(|v| !v.trim().is_empty());
        let key = lookup("ATTEST_SIGNING_KEY").filter(|v| !v.trim().is_empty());
        match (cert, key) {
            (None, None) => Ok(SigningPaths {
                certificate: default_dir.join(Self::CERTIFICATE_FILE),
                key: default_dir.join(Self::KEY_FILE),
                configured: false,
            }),
            (Some(cert), Some(key)) => Ok(SigningPaths {
                certificate: cert.trim().into(),
                key: key.trim().into(),
                configured: true,
            }),
            (Some(_), None) => Err(StartupError::Config {
                setting: "ATTEST_SIGNING_KEY",
                problem: "ATTEST_SIGNING_CERT is set but its key is not".into(),
                fix: "set both to PEM files (certificate and PKCS#8 or PKCS#1 RSA key), or neither to use a generated self-signed pair".into(),
            }),
            (None, Some(_)) => Err(StartupError::Config {
                setting: "ATTEST_SIGNING_CERT",
                problem: "ATTEST_SIGNING_KEY is set but its certificate is not".into(),
                fix: "set both to PEM files, or neither to use a generated self-signed pair".into(),
            }),
        }
    }
}

/// A certificate with its private key, ready to sign.
pub struct SigningIdentity {
    key: SigningKey<Sha256>,
    certificate: Certificate,
    /// The certificate's subject, as people read it (`CN=…,O=…`).
    pub subject: String,
}

impl std::fmt::Debug for SigningIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningIdentity")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

fn unreadable(setting: &'static str, path: &Path, problem: impl std::fmt::Display) -> StartupError {
    StartupError::Config {
        setting,
        problem: format!("cannot use {}: {problem}", path.display()),
        fix: "point it at a readable PEM file, or unset both ATTEST_SIGNING_CERT and ATTEST_SIGNING_KEY to use a generated self-signed pair".into(),
    }
}

impl SigningIdentity {
    /// Loads the configured pair, or the default pair (generating it the first time).
    pub fn load_or_create(paths: &SigningPaths) -> Result<Self, StartupError> {
        if !paths.configured && !paths.certificate.exists() && !paths.key.exists() {
            let identity = Self::generate("Attest report signing (self-signed)")
                .map_err(|e| StartupError::Other(format!("cannot generate a signing key: {e}")))?;
            if let Err(error) = identity.store(paths) {
                // Another process starting at the same moment generated the pair first: use
                // theirs, so every process signs with the certificate on disk.
                if paths.key.exists() {
                    std::thread::sleep(Duration::from_millis(200));
                    return Self::load(paths);
                }
                return Err(error);
            }
            tracing::warn!(
                certificate = %paths.certificate.display(),
                key = %paths.key.display(),
                subject = %identity.subject,
                "no signing certificate was configured: generated a self-signed certificate and key (owner-only permissions). Reports signed with it validate as unaltered, but readers will not trust the signer until you configure your organisation's certificate (ATTEST_SIGNING_CERT, ATTEST_SIGNING_KEY)"
            );
            return Ok(identity);
        }
        Self::load(paths)
    }

    /// Reads a certificate and key from PEM files and checks that they belong together.
    pub fn load(paths: &SigningPaths) -> Result<Self, StartupError> {
        let cert_pem = std::fs::read_to_string(&paths.certificate)
            .map_err(|e| unreadable("ATTEST_SIGNING_CERT", &paths.certificate, e))?;
        let certificate = Certificate::from_pem(cert_pem.as_bytes()).map_err(|e| {
            unreadable(
                "ATTEST_SIGNING_CERT",
                &paths.certificate,
                format!("not a PEM certificate ({e})"),
            )
        })?;
        let key_pem = std::fs::read_to_string(&paths.key)
            .map_err(|e| unreadable("ATTEST_SIGNING_KEY", &paths.key, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&paths.key)
                .map(|m| m.permissions().mode())
                .unwrap_or(0);
            if mode & 0o077 != 0 {
                tracing::warn!(key = %paths.key.display(), mode = format!("{:o}", mode & 0o777), "the report signing key is readable by others than its owner; restrict it (chmod 600)");
            }
        }
        let private = RsaPrivateKey::from_pkcs8_pem(&key_pem)
            .or_else(|_| RsaPrivateKey::from_pkcs1_pem(&key_pem))
            .map_err(|e| {
                unreadable(
                    "ATTEST_SIGNING_KEY",
                    &paths.key,
                    format!("not a PEM RSA private key ({e})"),
                )
            })?;
        let key = SigningKey::<Sha256>::new(private);
        let public = SubjectPublicKeyInfoOwned::from_key(key.as_ref().to_public_key())
            .map_err(|e| StartupError::Other(e.to_string()))?;
        if public != certificate.tbs_certificate.subject_public_key_info {
            return Err(unreadable(
                "ATTEST_SIGNING_KEY",
                &paths.key,
                format!(
                    "this key does not belong to the certificate in {}",
                    paths.certificate.display()
                ),
            ));
        }
        let subject = certificate.tbs_certificate.subject.to_string();
        Ok(SigningIdentity {
            key,
            certificate,
            subject,
        })
    }

    /// A new RSA-2048 key with a self-signed certificate valid for ten years.
    pub fn generate(common_name: &str) -> Result<Self, Error> {
        let internal = |e: &dyn std::fmt::Display| Error::Internal(e.to_string());
        let private = RsaPrivateKey::new(&mut rand_core::OsRng, 2048).map_err(|e| internal(&e))?;
        let key = SigningKey::<Sha256>::new(private);
        let mut serial = [0u8; 16];
        getrandom::fill(&mut serial).map_err(|e| internal(&e))?;
        serial[0] &= 0x7F; // positive
        serial[0] |= 0x10; // no leading zero byte
        let serial = SerialNumber::new(&serial).map_err(|e| internal(&e))?;
        let validity = Validity::from_now(Duration::from_secs(10 * 365 * 24 * 3600))
            .map_err(|e| internal(&e))?;
        let cn = common_name.replace([',', '+', '=', '\\', '"', '<', '>', ';'], " ");
        let subject = Name::from_str(&format!("CN={cn},O=Attest,OU=Quality management"))
            .map_err(|e| internal(&e))?;
        let public = SubjectPublicKeyInfoOwned::from_key(key.as_ref().to_public_key())
            .map_err(|e| internal(&e))?;
        // A self-signed end-entity certificate: key usage digital signature and
        // non-repudiation, which is what document signing asks of a certificate.
        let profile = Profile::Leaf {
            issuer: subject.clone(),
            enable_key_agreement: false,
            enable_key_encipherment: false,
        };
        let builder = CertificateBuilder::new(profile, serial, validity, subject, public, &key)
            .map_err(|e| internal(&e))?;
        let certificate = builder
            .build::<rsa::pkcs1v15::Signature>()
            .map_err(|e| internal(&e))?;
        let subject = certificate.tbs_certificate.subject.to_string();
        Ok(SigningIdentity {
            key,
            certificate,
            subject,
        })
    }

    /// Writes the pair as PEM: the key readable by its owner only.
    pub fn store(&self, paths: &SigningPaths) -> Result<(), StartupError> {
        let fail = |path: &Path, e: &dyn std::fmt::Display| {
            StartupError::Other(format!("cannot write {}: {e}", path.display()))
        };
        for path in [&paths.certificate, &paths.key] {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| fail(dir, &e))?;
            }
        }
        let cert_pem = self
            .certificate
            .to_pem(LineEnding::LF)
            .map_err(|e| fail(&paths.certificate, &e))?;
        let key_pem = self
            .key
            .as_ref()
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| fail(&paths.key, &e))?;
        write_private(&paths.key, key_pem.as_bytes()).map_err(|e| fail(&paths.key, &e))?;
        std::fs::write(&paths.certificate, cert_pem).map_err(|e| fail(&paths.certificate, &e))?;
        Ok(())
    }

    /// The certificate as DER.
    pub fn certificate_der(&self) -> Vec<u8> {
        self.certificate
            .to_der()
            .expect("a parsed certificate encodes")
    }

    /// A detached CMS SignedData (SHA-256 with RSA, signed attributes with the content type,
    /// message digest and signing time, the certificate included) over content whose SHA-256
    /// is `digest`.
    pub fn sign_digest(&self, digest: &[u8; 32]) -> Result<Vec<u8>, Error> {
        let internal = |e: &dyn std::fmt::Display| Error::Internal(format!("signing failed: {e}"));
        let content = EncapsulatedContentInfo {
            econtent_type: const_oid::db::rfc5911::ID_DATA,
            econtent: None,
        };
        let sha256 = AlgorithmIdentifierOwned {
            oid: const_oid::db::rfc5912::ID_SHA_256,
            parameters: None,
        };
        let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: self.certificate.tbs_certificate.issuer.clone(),
            serial_number: self.certificate.tbs_certificate.serial_number.clone(),
        });
        let mut signer =
            SignerInfoBuilder::new(&self.key, sid, sha256.clone(), &content, Some(digest))
                .map_err(|e| internal(&e))?;
        signer
            .add_signed_attribute(create_signing_time_attribute().map_err(|e| internal(&e))?)
            .map_err(|e| internal(&e))?;
        let mut builder = SignedDataBuilder::new(&content);
        builder
            .add_digest_algorithm(sha256)
            .map_err(|e| internal(&e))?
            .add_certificate(CertificateChoices::Certificate(self.certificate.clone()))
            .map_err(|e| internal(&e))?
            .add_signer_info::<SigningKey<Sha256>, rsa::pkcs1v15::Signature>(signer)
            .map_err(|e| internal(&e))?;
        let signed = builder.build().map_err(|e| internal(&e))?;
        signed.to_der().map_err(|e| internal(&e))
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    // `create_new`: never overwrite a key another process (or an operator) put there.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?
        .write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn paths_default_unless_both_are_set() {
        let dir = Path::new("data/signing");
        let defaults = SigningPaths::from_lookup(&lookup(&[]), dir).unwrap();
        assert!(!defaults.configured);
        assert_eq!(
            defaults.key,
            PathBuf::from("data/signing/attest-signing-key.pem")
        );
        let both = SigningPaths::from_lookup(
            &lookup(&[
                ("ATTEST_SIGNING_CERT", "/etc/attest/cert.pem"),
                ("ATTEST_SIGNING_KEY", "/etc/attest/key.pem"),
            ]),
            dir,
        )
        .unwrap();
        assert!(both.configured);
        let one = SigningPaths::from_lookup(&lookup(&[("ATTEST_SIGNING_CERT", "/x.pem")]), dir)
            .unwrap_err();
        assert!(one.to_string().starts_with("ATTEST_SIGNING_KEY"));
    }

    #[test]
    fn a_generated_pair_is_stored_privately_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let paths = SigningPaths {
            certificate: dir.path().join("sub/cert.pem"),
            key: dir.path().join("sub/key.pem"),
            configured: false,
        };
        let created = SigningIdentity::load_or_create(&paths).unwrap();
        assert!(created.subject.contains("CN=Attest report signing"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&paths.key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let loaded = SigningIdentity::load_or_create(&paths).unwrap();
        assert_eq!(loaded.certificate_der(), created.certificate_der());
        let cms = loaded.sign_digest(&[7u8; 32]).unwrap();
        assert!(cms.len() > 1000 && cms.len() < 4096, "{} bytes", cms.len());
    }

    #[test]
    fn a_configured_missing_key_is_named_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let identity = SigningIdentity::generate("Test").unwrap();
        let paths = SigningPaths {
            certificate: dir.path().join("cert.pem"),
            key: dir.path().join("key.pem"),
            configured: true,
        };
        identity.store(&paths).unwrap();
        let missing = SigningPaths {
            key: dir.path().join("nope.pem"),
            ..paths.clone()
        };
        let error = SigningIdentity::load_or_create(&missing)
            .unwrap_err()
            .to_string();
        assert!(error.contains("nope.pem"), "{error}");
        std::fs::write(&paths.key, "not a key").unwrap();
        let error = SigningIdentity::load(&paths).unwrap_err().to_string();
        assert!(
            error.contains("key.pem") && error.contains("not a PEM RSA private key"),
            "{error}"
        );
        // A key from another pair.
        let other = SigningIdentity::generate("Other").unwrap();
        let other_paths = SigningPaths {
            certificate: dir.path().join("other-cert.pem"),
            key: dir.path().join("other-key.pem"),
            configured: true,
        };
        other.store(&other_paths).unwrap();
        let mixed = SigningPaths {
            key: other_paths.key.clone(),
            ..paths
        };
        let error = SigningIdentity::load(&mixed).unwrap_err().to_string();
        assert!(error.contains("does not belong"), "{error}");
    }
}
