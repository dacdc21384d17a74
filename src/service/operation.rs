//! Every operation, named once: REST's routing labels, SOAP's dispatch, the page's labels, and
//! the request log all use these names.

/// What a request asks the gateway to do. The wire name is today's SOAP operation name for the
/// API's operations, and the log's label for the page's own.
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
    /// The page's sign-in form, shown before any session.
    SignInForm,
    SignIn,
    SignOut,
    /// The page's new-user form, with a generated login to offer.
    NewApiUserForm,
    /// The Users tab: the account's users, and the changes to one.
    GetAccountUsers,
    GetAccountUser,
    AddAccountUser,
    UpdateAccountUser,
    SetAccountUserPassword,
    UnlockAccountUser,
    RemoveAccountUser,
}

impl Operation {
    /// The API's operations, on REST and SOAP alike: the WSDL lists exactly these (a test
    /// checks both directions).
    pub const API: [Operation; 10] = [
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
            Operation::SignInForm => "SignInForm",
            Operation::SignIn => "SignIn",
            Operation::SignOut => "SignOut",
            Operation::NewApiUserForm => "NewApiUserForm",
            Operation::GetAccountUsers => "GetAccountUsers",
            Operation::GetAccountUser => "GetAccountUser",
            Operation::AddAccountUser => "AddAccountUser",
            Operation::UpdateAccountUser => "UpdateAccountUser",
            Operation::SetAccountUserPassword => "SetAccountUserPassword",
            Operation::UnlockAccountUser => "UnlockAccountUser",
            Operation::RemoveAccountUser => "RemoveAccountUser",
        }
    }

    /// Reads no more than one row besides the caller's: quick enough to run on an async worker
    /// when the store answers at once (`Store::answers_at_once`).
    pub fn is_point_read(self) -> bool {
        matches!(
            self,
            Operation::GetCurrentAccountInfo | Operation::GetServerTime | Operation::GetApiUserById
        )
    }

    /// The API operation with this wire name.
    pub fn of_api(name: &str) -> Option<Operation> {
        Operation::API.into_iter().find(|op| op.name() == name)
    }
}
