export { runBankExample, type BankExampleOptions, type BankExampleResult } from "./run.js";
export { account, accountEvents, AccountRuleError, InsufficientFundsError, type AccountCommand, type AccountEvent, type AccountState } from "./account.js";
export { balancesProjection, type AccountView, type Balances } from "./balances.js";
