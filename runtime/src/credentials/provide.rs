//! The provider trait, a shared handle to a provider, and chains of them.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Credentials, CredentialsError, ErrorKind};

/// The future a provider returns: boxed, so that the trait can be used as
/// `dyn ProvideCredentials` and a chain can hold providers of any type.
pub type ProvideFuture<'a> = Pin<Box<dyn Future<Output = Result<Credentials, CredentialsError>> + Send + 'a>>;

/// A source of credentials: an environment, a file, STS, the metadata
/// service, or anything of your own.
///
/// A provider fetches every time it is asked: caching and refreshing are the
/// [`CredentialsCache`](super::CredentialsCache)'s job, so a provider should
/// not cache. Temporary credentials carry their expiry
/// ([`Credentials::with_expiry`]), which tells the cache when to ask again.
/// A provider whose source is not set up at all answers
/// [`CredentialsError::not_configured`], so that a [`ProviderChain`] moves on.
///
/// ```
/// use aliyun_runtime::credentials::{Credentials, CredentialsError, ProvideCredentials, ProvideFuture};
///
/// /// Reads the key from a secret store of your own.
/// #[derive(Debug)]
/// struct Vault;
///
/// impl ProvideCredentials for Vault {
///     fn provide_credentials(&self) -> ProvideFuture<'_> {
///         Box::pin(async { Ok(Credentials::new("LTAI...", "from-the-vault")) })
///     }
///     fn name(&self) -> &'static str {
///         "vault"
///     }
/// }
/// ```
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Fetches credentials from the source.
    fn provide_credentials(&self) -> ProvideFuture<'_>;

    /// A short name for errors and logs (`environment`, `ecs_ram_role`...).
    fn name(&self) -> &'static str {
        "custom"
    }
}

/// Fixed credentials are a provider that always answers them.
impl ProvideCredentials for Credentials {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        let credentials = self.clone();
        Box::pin(async move { Ok(credentials) })
    }

    fn name(&self) -> &'static str {
        if self.security_token().is_some() { "static_sts" } else { "static_ak" }
    }
}

impl<P: ProvideCredentials + ?Sized> ProvideCredentials for Arc<P> {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        (**self).provide_credentials()
    }

    fn name(&self) -> &'static str {
        (**self).name()
    }
}

/// A provider behind an `Arc`, cheap to clone and share between clients.
#[derive(Clone, Debug)]
pub struct SharedCredentialsProvider(Arc<dyn ProvideCredentials>);

impl SharedCredentialsProvider {
    /// Shares `provider`.
    pub fn new(provider: impl ProvideCredentials + 'static) -> Self {
        SharedCredentialsProvider(Arc::new(provider))
    }
}

impl ProvideCredentials for SharedCredentialsProvider {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        self.0.provide_credentials()
    }

    fn name(&self) -> &'static str {
        self.0.name()
    }
}

/// Providers tried in order: the first whose source is set up answers.
///
/// A provider that answers [`ErrorKind::NotConfigured`] is passed over; any
/// other error stops the chain, so that a source that is set up but broken
/// is reported rather than silently replaced by the next one. Once a
/// provider has answered, the chain goes back to it alone on every later
/// call (a refresh), as Alibaba's own libraries do.
#[derive(Debug)]
pub struct ProviderChain {
    providers: Vec<SharedCredentialsProvider>,
    /// The index of the provider that answered, plus one; 0 before any did.
    chosen: AtomicUsize,
}

impl ProviderChain {
    /// An empty chain; add providers with [`ProviderChain::or_else`].
    pub fn new() -> Self {
        ProviderChain { providers: Vec::new(), chosen: AtomicUsize::new(0) }
    }

    /// Adds `provider` after those already in the chain.
    pub fn or_else(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.providers.push(SharedCredentialsProvider::new(provider));
        self
    }

    /// The names of the providers, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.providers.iter().map(ProvideCredentials::name).collect()
    }

    async fn provide(&self) -> Result<Credentials, CredentialsError> {
        let chosen = self.chosen.load(Ordering::Acquire);
        if let Some(provider) = chosen.checked_sub(1).and_then(|i| self.providers.get(i)) {
            return provider.provide_credentials().await.map_err(|e| e.context(provider.name()));
        }
        let mut passed = Vec::new();
        for (i, provider) in self.providers.iter().enumerate() {
            match provider.provide_credentials().await {
                Ok(credentials) => {
                    self.chosen.store(i + 1, Ordering::Release);
                    tracing::debug!(provider = provider.name(), "credentials found");
                    return Ok(credentials);
                }
                Err(e) if e.kind() == ErrorKind::NotConfigured => passed.push(format!("{}: {e}", provider.name())),
                Err(e) => return Err(e.context(provider.name())),
            }
        }
        Err(CredentialsError::not_configured(if passed.is_empty() {
            "the credentials chain is empty".to_owned()
        } else {
            format!("no provider in the chain is set up ({})", passed.join("; "))
        }))
    }
}

impl Default for ProviderChain {
    fn default() -> Self {
        Self::new()
    }
}

impl ProvideCredentials for ProviderChain {
    fn provide_credentials(&self) -> ProvideFuture<'_> {
        Box::pin(self.provide())
    }

    fn name(&self) -> &'static str {
        "chain"
    }
}
