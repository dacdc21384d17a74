-- The last sign-in to the Access page of each account user, for its Users tab.
ALTER TABLE account_users ADD COLUMN last_sign_in BIGINT;
