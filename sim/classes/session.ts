/** session.*: login (master only: members answer HOST_IS_SLAVE), logout. */
import { on } from "../registry";
import { fail } from "../errors";
import type { Ctx } from "../state";

function masterAddress(ctx: Ctx): string { return ctx.st.hosts[0].hostname; }

on("session.login_with_password", (ctx: Ctx, uname: string, pwd: string, _version = "", originator = "") => {
  if (ctx.hostRef !== ctx.st.hosts[0].ref) fail("HOST_IS_SLAVE", masterAddress(ctx));
  return ctx.st.sessions.login(uname, pwd, originator, ctx.hostRef);
});
// Emergency login on any host, pool-wide sessions are not needed for it.
on("session.slave_local_login_with_password", (ctx: Ctx, uname: string, pwd: string) => ctx.st.sessions.login(uname, pwd, "", ctx.hostRef));
on("session.logout", (ctx: Ctx) => { ctx.st.sessions.destroy(ctx.sessionRef); });
on("session.local_logout", (ctx: Ctx) => { ctx.st.sessions.destroy(ctx.sessionRef); });
on("session.get_all_subject_identifiers", () => []);
on("session.logout_subject_identifier", () => undefined);
on("session.change_password", (ctx: Ctx, oldPwd: string, newPwd: string) => {
  const user = String(ctx.st.db.field("session", ctx.sessionRef, "auth_user_name"));
  if (ctx.st.users[user] !== oldPwd) fail("SESSION_AUTHENTICATION_FAILED", user, "Authentication failure");
  ctx.st.users[user] = newPwd;
});
