/// The SOAP operations dualgate dispatches. The WSDL must list exactly these (a test checks
/// both directions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    GetCurrentAccountInfo,
    GetServerTime,
    GetApiUsers,
    GetApiUserById,
    CreateApiUser,
    UpdateApiUser,
    SetApiUserPassword,
    UnlockApiUser,
    DeleteApiUser,
    GetAuditEvents,
}

impl Operation {
    pub const ALL: [Operation; 10] = [
        Operation::GetCurrentAccountInfo,
        Operation::GetServerTime,
        Operation::GetApiUsers,
        Operation::GetApiUserById,
        Operation::CreateApiUser,
        Operation::UpdateApiUser,
        Operation::SetApiUserPassword,
        Operation::UnlockApiUser,
        Operation::DeleteApiUser,
        Operation::GetAuditEvents,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Operation::GetCurrentAccountInfo => "GetCurrentAccountInfo",
            Operation::GetServerTime => "GetServerTime",
            Operation::GetApiUsers => "GetApiUsers",
            Operation::GetApiUserById => "GetApiUserById",
            Operation::CreateApiUser => "CreateApiUser",
            Operation::UpdateApiUser => "UpdateApiUser",
            Operation::SetApiUserPassword => "SetApiUserPassword",
            Operation::UnlockApiUser => "UnlockApiUser",
            Operation::DeleteApiUser => "DeleteApiUser",
            Operation::GetAuditEvents => "GetAuditEvents",
        }
    }

    pub fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL.into_iter().find(|op| op.name() == name)
    }
}
