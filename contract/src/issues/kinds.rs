//! What kind of problem an issue is: one enum per area, written once here so that the area
//! that raises it, the hub that dedups on it and the console that shows it agree.

use super::{Area, EntityRef, Severity};

/// An enum whose variants each have one stable snake_case name.
macro_rules! named {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vdoc])* $variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|k| k.as_str() == s)
            }
        }
    };
}

named!(
    /// Admin > API usage.
    UsageIssue {
        /// The Public API window is above the warning or error share of its limit.
        Threshold = "usage_threshold",
    }
);

named!(
    /// Admin > Integrations > Webhooks.
    WebhookIssue {
        /// Deliveries to an endpoint failed every attempt.
        EndpointFailing = "endpoint_failing",
        /// Sluice turned the endpoint off (410 Gone, or failing too long).
        EndpointDisabled = "endpoint_disabled",
    }
);

named!(
    /// Admin > Distributors.
    DistributorIssue {
        ConnectionFailed = "connection_failed",
        EmptyFeed = "empty_feed",
        RowsRejected = "rows_rejected",
        /// The last successful sync is older than the distributor's threshold.
        Stale = "stale",
    }
);

named!(
    /// Admin > Integrations (CRM/PSA connectors and their credentials).
    IntegrationIssue {
        /// The provider refused the credentials (401/403).
        AuthFailed = "auth_failed",
        TokenExpired = "token_expired",
        CredentialExpiring = "credential_expiring",
        CredentialExpired = "credential_expired",
        /// Calls against the provider's limit passed a threshold.
        UsageThreshold = "usage_threshold",
        SyncFailed = "sync_failed",
    }
);

/// An issue's kind, which also names its area: the two cannot disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IssueKind {
    ApiUsage(UsageIssue),
    Webhooks(WebhookIssue),
    Distributors(DistributorIssue),
    Integrations(IntegrationIssue),
}

impl IssueKind {
    pub fn area(self) -> Area {
        match self {
            IssueKind::ApiUsage(_) => Area::ApiUsage,
            IssueKind::Webhooks(_) => Area::Webhooks,
            IssueKind::Distributors(_) => Area::Distributors,
            IssueKind::Integrations(_) => Area::Integrations,
        }
    }

    /// Stable within the area; part of the dedup key and `Issue::kind` on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            IssueKind::ApiUsage(k) => k.as_str(),
            IssueKind::Webhooks(k) => k.as_str(),
            IssueKind::Distributors(k) => k.as_str(),
            IssueKind::Integrations(k) => k.as_str(),
        }
    }

    /// The kind a stored row names, when its area still knows it.
    pub fn parse(area: Area, s: &str) -> Option<IssueKind> {
        match area {
            Area::ApiUsage => UsageIssue::parse(s).map(IssueKind::ApiUsage),
            Area::Webhooks => WebhookIssue::parse(s).map(IssueKind::Webhooks),
            Area::Distributors => DistributorIssue::parse(s).map(IssueKind::Distributors),
            Area::Integrations => IntegrationIssue::parse(s).map(IssueKind::Integrations),
        }
    }
}

impl From<UsageIssue> for IssueKind {
    fn from(k: UsageIssue) -> Self {
        IssueKind::ApiUsage(k)
    }
}

impl From<WebhookIssue> for IssueKind {
    fn from(k: WebhookIssue) -> Self {
        IssueKind::Webhooks(k)
    }
}

impl From<DistributorIssue> for IssueKind {
    fn from(k: DistributorIssue) -> Self {
        IssueKind::Distributors(k)
    }
}

impl From<IntegrationIssue> for IssueKind {
    fn from(k: IntegrationIssue) -> Self {
        IssueKind::Integrations(k)
    }
}

/// What an area tells the hub when an operation fails (`issues::raise` on the server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub kind: IssueKind,
    pub entity: EntityRef,
    pub severity: Severity,
    pub title: String,
    /// The error, verbatim from the provider or operation.
    pub message: String,
}

impl Report {
    pub fn area(&self) -> Area {
        self.kind.area()
    }

    /// The dedup key: a recurrence of the same (entity, kind) updates one issue.
    pub fn key(&self) -> Key {
        Key { kind: self.kind, entity_id: self.entity.id.clone() }
    }
}

/// Which issue (within a tenant): the operation behind it, on which entity.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub kind: IssueKind,
    pub entity_id: String,
}

impl Key {
    pub fn new(kind: impl Into<IssueKind>, entity_id: impl Into<String>) -> Key {
        Key { kind: kind.into(), entity_id: entity_id.into() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_through_its_name_within_its_area() {
        let kinds = UsageIssue::ALL
            .iter()
            .map(|&k| IssueKind::from(k))
            .chain(WebhookIssue::ALL.iter().map(|&k| k.into()))
            .chain(DistributorIssue::ALL.iter().map(|&k| k.into()))
            .chain(IntegrationIssue::ALL.iter().map(|&k| k.into()));
        for kind in kinds {
            assert_eq!(IssueKind::parse(kind.area(), kind.as_str()), Some(kind));
        }
        assert_eq!(IssueKind::parse(Area::Webhooks, "stale"), None, "a name is only known in its own area");
    }
}
