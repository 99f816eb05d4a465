//! The hub transport where Unix domain sockets do not exist (Windows): the same API, whose
//! constructors refuse with a coded error, so everything else in the crate (the Redis
//! transport included) builds and works there.
const REASON: &str = "the process-shared cache hub needs Unix domain sockets, which this \
platform lacks; share the cache through Redis (the Redis transport works here)";

fn unsupported() -> crate::Error {
    crate::Error::new(crate::Code::Psc, REASON.to_string())
}

pub mod hub {
    use std::path::Path;

    use crate::Result;

    #[derive(Debug, Clone, Copy, Default)]
    pub struct HubOptions {
        pub max_frame: usize,
        pub max_entries: usize,
    }

    pub struct Hub;

    impl Hub {
        pub fn start(_path: &Path, _opts: HubOptions) -> Result<Hub> {
            Err(super::unsupported())
        }

        pub fn path(&self) -> &Path {
            Path::new("")
        }

        pub fn stop(&mut self) {}
    }
}

pub mod client {
    use std::path::PathBuf;
    use std::sync::Arc;
    use std::time::Duration;

    use crate::psc::protocol::Scope;
    use crate::psc::replica::{Limits, Replica};
    use crate::Result;

    /// Options are accepted for the API's sake; no client is ever made.
    #[derive(Debug, Clone, Copy, Default)]
    pub struct ClientOptions {
        pub max_frame: usize,
        pub limits: Limits,
        pub reconnect_min: Duration,
        pub reconnect_max: Duration,
    }

    /// Never constructed: [`HubClient::connect`] always fails.
    pub enum HubClient {}

    impl HubClient {
        pub fn connect(
            _path: PathBuf,
            _opts: ClientOptions,
            _on_event: Option<crate::psc::OnLinkEvent>,
        ) -> Result<HubClient> {
            Err(super::unsupported())
        }

        pub fn attach(&self, _scope: Scope) -> Arc<Replica> {
            match *self {}
        }

        pub fn is_connected(&self) -> bool {
            match *self {}
        }

        pub fn stop(&self) {
            match *self {}
        }
    }
}
