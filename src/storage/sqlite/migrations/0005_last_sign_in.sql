-- When each account user last signed in to the Access page, for its Users tab.
ALTER TABLE account_users ADD COLUMN last_sign_in INTEGER;
