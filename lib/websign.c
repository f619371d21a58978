/* websign: signing in with a password or a one-time code, and out. */
#include <string.h>

#include "pm/i18n.h"
#include "pm/session.h"
#include "web-internal.h"

static void login_forms(struct pm_web *w, const char *login, const char *note, const char *kind, int code)
{
	FILE *f = w->res.f;

	pm_web_page(w, "登录");
	if (note)
		pm_html_note(f, kind, note);
	if (code) {
		pm_web_form(w, "/login/verify", 0);
		pm_html_fmt(f, "<label>账号<input name=\"login\" value=\"%s\" autocomplete=\"username\" required></label>"
			       "<label>验证码<input name=\"code\" inputmode=\"numeric\" pattern=\"[0-9]{6}\" maxlength=\"6\""
			       " autocomplete=\"one-time-code\" required></label>"
			       "<button>登录</button></form>\n", login ? login : "");
	}
	pm_web_form(w, "/login", 0);
	pm_html_fmt(f, "<label>账号<input name=\"login\" value=\"%s\" autocomplete=\"username\" required></label>"
		       "<label>密码<input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>"
		       "<button>登录</button></form>\n", login ? login : "");
	fputs("<h2>用手机验证码登录</h2>\n", f);
	pm_web_form(w, "/login/code", 0);
	pm_html_fmt(f, "<label>账号<input name=\"login\" value=\"%s\" autocomplete=\"username\" required></label>"
		       "<button class=\"secondary\">发送验证码到预留手机</button></form>\n", login ? login : "");
	pm_web_page_end(w);
}

int pm_page_login(struct pm_web *w)
{
	if (w->session.id) {
		pm_web_redirect(&w->res, w->req.script, "/");
		return PM_OK;
	}
	login_forms(w, NULL, NULL, NULL, 0);
	return PM_OK;
}

static int limits(struct pm_web *w)
{
	return pm_web_config(w, &w->err);
}

/* The two fields a form must have, or a 400. */
static int fields(struct pm_web *w, const char *a, const char *b, const char **va, const char **vb)
{
	*va = pm_web_param(w, a);
	*vb = b ? pm_web_param(w, b) : "";
	if (!*va || !**va || !*vb || (b && !**vb) || strlen(*va) > 63 || strlen(*vb) > 256)
		return pm_web_fail(w, PM_EDATA, "%s", "请填写账号和密码（或验证码）。");
	return PM_OK;
}

/* After sign-in: the session's cookie, the pre-session token gone. */
static int signed_in(struct pm_web *w, const char *token)
{
	pm_web_set_cookie(&w->res, &w->req, "pm_session", token, 0, 0);
	pm_web_set_cookie(&w->res, &w->req, "pm_pre", "", -1, 1);
	pm_web_redirect(&w->res, w->req.script, "/");
	return PM_OK;
}

/* A refused sign-in: the form again, with why. A store that is busy or
 * cannot be written is no refusal: an error page, and the log. */
static int refused(struct pm_web *w, const char *login, int rc, int code)
{
	if (w->err.internal || (rc != PM_ENOPERM && rc != PM_ETEMPFAIL))
		return rc;
	w->res.status = rc == PM_ETEMPFAIL ? 429 : 403;
	login_forms(w, login, rc == PM_ETEMPFAIL ? "尝试次数过多，请稍后再试。"
		    : code ? "验证码错误或已过期。" : "账号或密码错误。", "error", code);
	return PM_OK;
}

int pm_page_login_post(struct pm_web *w)
{
	char token[PM_SESSION_TOKEN];
	const char *login, *password;
	int rc;

	if (fields(w, "login", "password", &login, &password) || limits(w))
		return w->err.code;
	rc = pm_signin_password(w->db, login, password, w->req.remote, &w->limits, token, &w->session, &w->err);
	return rc ? refused(w, login, rc, 0) : signed_in(w, token);
}

int pm_page_login_code(struct pm_web *w)
{
	const char *login, *none;
	char note[160];
	int rc;

	if (fields(w, "login", NULL, &login, &none) || limits(w))
		return w->err.code;
	if ((rc = pm_signin_code_send(w->db, login, w->req.remote, &w->limits, &w->err)))
		return refused(w, login, rc, 1);
	snprintf(note, sizeof note, "如果该账号留有手机号，验证码已发出，%lld 分钟内有效。",
		 (long long)(w->limits.code_ttl / 60));
	login_forms(w, login, note, "ok", 1);
	return PM_OK;
}

int pm_page_login_verify(struct pm_web *w)
{
	char token[PM_SESSION_TOKEN];
	const char *login, *code;
	int rc;

	if (fields(w, "login", "code", &login, &code) || limits(w))
		return w->err.code;
	rc = pm_signin_code(w->db, login, code, w->req.remote, &w->limits, token, &w->session, &w->err);
	return rc ? refused(w, login, rc, 1) : signed_in(w, token);
}

/* ---- one's own password ---- */

int pm_page_password(struct pm_web *w)
{
	FILE *f = w->res.f;

	if (pm_auth_check(&w->actor, "user.passwd.self", &w->err))
		return w->err.code;
	pm_web_page(w, "修改密码");
	if (pm_web_param(w, "changed"))
		pm_html_note(f, "ok", "密码已修改，其他设备上的登录已退出。");
	pm_web_form(w, "/password", 0);
	fputs("<label>当前密码<input name=\"current\" type=\"password\" autocomplete=\"current-password\" required></label>"
	      "<label>新密码（至少 8 位）<input name=\"fresh\" type=\"password\" autocomplete=\"new-password\""
	      " minlength=\"8\" required></label>"
	      "<label>再输一次新密码<input name=\"again\" type=\"password\" autocomplete=\"new-password\""
	      " minlength=\"8\" required></label><button>修改密码</button></form>\n", f);
	pm_web_page_end(w);
	return PM_OK;
}

/* A refusal says what to do in the form's words; the form comes back
 * (cmd/pm-web.c) with the passwords left out. */
int pm_page_password_post(struct pm_web *w)
{
	const char *current = pm_web_field(w, "current"), *fresh = pm_web_field(w, "fresh");
	int rc;

	if (pm_auth_check(&w->actor, "user.passwd.self", &w->err) || limits(w))
		return w->err.code;
	if (!current || !fresh || strlen(current) > 256 || strlen(fresh) > 256)
		return pm_web_fail(w, PM_EDATA, "%s", "请填写当前密码和新密码（最长 256 个字符）。");
	if (!pm_web_param(w, "again") || strcmp(fresh, pm_web_param(w, "again")))
		return pm_web_fail(w, PM_EDATA, "%s", "两次输入的新密码不一致。");
	rc = pm_session_passwd(w->db, &w->session, current, fresh, w->req.remote, &w->limits, &w->err);
	if (rc == PM_ENOPERM && !w->err.internal)
		return pm_web_fail(w, PM_EDATA, "%s", "当前密码不对。");
	if (rc == PM_ETEMPFAIL && !w->err.internal)
		return pm_web_fail(w, PM_EDATA, "%s", "尝试次数过多，请稍后再试。");
	if (rc)
		return rc;
	pm_web_redirect(&w->res, w->req.script, "/password?changed=1");
	return PM_OK;
}

int pm_page_logout(struct pm_web *w)
{
	char token[PM_SESSION_TOKEN];

	if (pm_web_cookie(w->req.cookie, "pm_session", token, sizeof token) &&
	    pm_session_end(w->db, token, &w->err))
		return w->err.code;
	pm_web_set_cookie(&w->res, &w->req, "pm_session", "", -1, 0);
	pm_web_redirect(&w->res, w->req.script, "/login");
	return PM_OK;
}
