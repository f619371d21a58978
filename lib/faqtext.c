/* faqtext: the text normalisation that questions and FAQ entries share,
 * and the synonyms and filler words applied after it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf-internal.h"
#include "pm/db.h"
#include "pm/faq.h"
#include "pm/i18n.h"

/* Traditional characters owners type, each followed by its simplified
 * form: the ones of fees, repairs, parking and daily life, not a whole
 * conversion table. */
static const char trad_pairs[] =
	"費费電电錢钱繳缴當当麼么為为這这個个們们時时間间號号樓楼門门開开"
	"關关車车場场訪访問问題题報报維维業业務务區区裝装聲声寵宠貓猫遷迁"
	"戶户證证續续辦办處处隻只還还餘余額额帳账賬账單单據据發发價价階阶"
	"規规則则滯滞納纳違违約约應应該该嗎吗氣气熱热燈灯壞坏滲渗黴霉鎖锁"
	"鑰钥廳厅廚厨衛卫陽阳臺台設设備备線线網网絡络寬宽帶带視视監监紅红"
	"綠绿類类環环潔洁掃扫員员貼贴總总結结讓让給给從从聯联繫系話话預预"
	"記记錄录調调換换舊旧遠远邊边進进過过後后來来會会說说請请謝谢樣样"
	"煩烦幫帮難难錯错對对見见鐘钟點点幾几兩两萬万與与無无實实現现條条"
	"於于傳传雙双體体買买賣卖達达運运動动壓压測测試试驗验響响頭头嚴严"
	"舉举屬属數数營营產产權权標标準准項项養养護护醫医歡欢圍围廣广庫库"
	"層层亂乱雜杂髒脏鬧闹擾扰噸吨徵征滿满罰罚銀银碼码週周歸归檔档釋释"
	"隊队參参觀观認认識识讀读寫写聽听覺觉變变檢检導导駕驾駛驶輛辆閘闸"
	"欄栏臨临別别樂乐館馆親亲鄰邻漲涨貴贵錶表裡里麵面髮发鬆松飛飞機机"
	"構构極极樹树東东決决況况減减廁厕塊块嘗尝奮奋婦妇孫孙學学寶宝將将"
	"專专尋寻岡冈島岛帥帅師师幣币廢废張张彈弹徑径戲戏擇择擔担攜携敗败"
	"斷断晝昼暫暂曆历書书歐欧歲岁歷历殘残毀毁淨净湯汤溫温滅灭滾滚漢汉"
	"潑泼澤泽濕湿灣湾災灾烏乌燒烧爭争牆墙狀状獎奖瑪玛畫画畢毕異异療疗"
	"盡尽盤盘盜盗眾众確确礎础禮礼稅税種种穩稳窮穷競竞筆笔節节範范簡简"
	"簽签籃篮糧粮紀纪級级紙纸細细組组經经統统絲丝綁绑緊紧績绩繩绳罷罢"
	"義义習习聖圣聞闻肅肃脫脱腦脑臉脸興兴艙舱藝艺蘭兰蟲虫術术衝冲補补"
	"製制複复覽览觸触計计訂订訊讯討讨訓训託托許许訴诉診诊詢询詳详誠诚"
	"誤误誰谁課课談谈諮咨譽誉豐丰貨货質质購购貸贷資资賠赔賴赖贈赠趕赶"
	"趨趋跡迹躍跃軟软載载輔辅輕轻輸输轉转農农連连遞递適适選选遺遗郵邮"
	"鄉乡針针鈴铃鉤钩銷销鋪铺鍵键鏈链鐵铁長长閉闭閒闲閥阀閱阅闆板隨随"
	"險险隱隐雞鸡離离靜静頁页順顺須须領领頻频顏颜願愿顧顾顯显風风飯饭"
	"飲饮馬马魚鱼鳥鸟鹽盐麥麦黃黄齊齐齒齿龍龙廈厦滬沪蘇苏贊赞圖图團团"
	"園园圓圆塗涂壘垒夠够頂顶尷尴屆届幹干廂厢廠厂彎弯徹彻憑凭懶懒戀恋"
	"擁拥擊击擋挡擠挤擬拟攔拦敵敌暈晕曬晒棄弃棟栋檯台櫃柜氫氢沒没淚泪"
	"淺浅渾浑潛潜濾滤灑洒煙烟燙烫爐炉牽牵犧牺獨独疊叠痠酸癢痒盞盏瞭了"
	"矯矫礙碍祿禄禍祸穀谷窩窝窯窑籤签糾纠紮扎紓纾絕绝緣缘縣县縮缩繞绕"
	"罈坛罵骂聰聪膠胶艷艳莊庄葉叶薦荐藥药蘋苹蝦虾螢萤褲裤襪袜註注評评"
	"詞词誘诱貝贝負负貢贡貧贫貿贸賓宾賞赏賢贤賺赚趙赵蹤踪軌轨軍军辭辞"
	"邏逻醜丑鄭郑鍋锅鎮镇鏡镜閃闪閣阁闊阔陣阵雲云霧雾韓韩頸颈頓顿頒颁"
	"頗颇飄飘駐驻騎骑騰腾驚惊鬥斗鬱郁麗丽黨党裏里瀏浏";

struct tpair {
	uint32_t t, s;
};

/* The code point at s (n bytes left, n > 0) and its length in *len;
 * 0xFFFD for a byte that starts no well-formed character. */
static uint32_t utf8_next(const unsigned char *s, size_t n, size_t *len)
{
	uint32_t c;
	size_t k, i;

	*len = 1;
	if (s[0] < 0x80)
		return s[0];
	if (s[0] >= 0xC2 && s[0] < 0xE0) {
		k = 2;
		c = s[0] & 0x1Fu;
	} else if (s[0] >= 0xE0 && s[0] < 0xF0) {
		k = 3;
		c = s[0] & 0x0Fu;
	} else if (s[0] >= 0xF0 && s[0] < 0xF5) {
		k = 4;
		c = s[0] & 0x07u;
	} else {
		return 0xFFFD;
	}
	if (n < k)
		return 0xFFFD;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0xFFFD;
		c = c << 6 | (s[i] & 0x3Fu);
	}
	if ((k == 3 && c < 0x800) || (k == 4 && (c < 0x10000 || c > 0x10FFFF)) || (c >= 0xD800 && c < 0xE000))
		return 0xFFFD;
	*len = k;
	return c;
}

static void utf8_put(struct strbuf *b, uint32_t c)
{
	char u[4];
	size_t n;

	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xC0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3F));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xE0 | c >> 12);
		u[1] = (char)(0x80 | (c >> 6 & 0x3F));
		u[2] = (char)(0x80 | (c & 0x3F));
		n = 3;
	} else {
		u[0] = (char)(0xF0 | c >> 18);
		u[1] = (char)(0x80 | (c >> 12 & 0x3F));
		u[2] = (char)(0x80 | (c >> 6 & 0x3F));
		u[3] = (char)(0x80 | (c & 0x3F));
		n = 4;
	}
	sb_add(b, u, n);
}

static int tpair_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct tpair *)a)->t, y = ((const struct tpair *)b)->t;

	return x < y ? -1 : x > y;
}

/* The table decoded and sorted, once a process. */
static const struct tpair *trad_table(size_t *n)
{
	static struct tpair tab[sizeof trad_pairs / 4];
	static size_t count;
	const unsigned char *p = (const unsigned char *)trad_pairs;
	size_t left = sizeof trad_pairs - 1, len;

	while (!count && left) {
		size_t k = 0;

		while (left && k < sizeof tab / sizeof *tab) {
			tab[k].t = utf8_next(p, left, &len);
			p += len;
			left -= len;
			tab[k].s = utf8_next(p, left, &len);
			p += len;
			left -= len;
			k++;
		}
		qsort(tab, k, sizeof *tab, tpair_cmp);
		count = k;
	}
	*n = count;
	return tab;
}

static uint32_t simplified(uint32_t c)
{
	size_t n;
	const struct tpair *tab = trad_table(&n), key = {c, 0}, *hit;

	if (c < 0x4E00)
		return c;
	hit = bsearch(&key, tab, n, sizeof *tab, tpair_cmp);
	return hit ? hit->s : c;
}

/* Punctuation, symbols, white space and controls: none of them helps
 * tell one question from another. */
static int dropped(uint32_t c)
{
	if (c < 0x80)
		return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'));
	return (c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) || (c >= 0xFE10 && c <= 0xFE6F) ||
	       (c >= 0xFF00 && c <= 0xFFEF) || c == 0xFFFD || (c >= 0x1F000 && c <= 0x1FAFF) ||
	       (c >= 0x80 && c <= 0xBF) || c == 0xD7;
}

char *pm_faq_normalize(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	struct strbuf b = {0};
	size_t len;
	uint32_t c;

	sb_add(&b, "", 0);
	while (n) {
		c = utf8_next(p, n, &len);
		p += len;
		n -= len;
		if (c >= 0xFF01 && c <= 0xFF5E)
			c -= 0xFEE0;
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		c = simplified(c);
		if (!dropped(c))
			utf8_put(&b, c);
	}
	return sb_take(&b);
}

/* ---- synonyms and filler ---- */

struct lex_word {
	char *word, *canon; /* canon NULL: filler, dropped */
	size_t len;
};

struct pm_faq_lex {
	struct lex_word *w;
	size_t n, cap;
};

static int lex_add(struct pm_faq_lex *lx, const char *word, const char *canon)
{
	struct lex_word *w;

	if (!*word)
		return 0;
	if (lx->n == lx->cap) {
		size_t cap = lx->cap ? lx->cap * 2 : 64;

		if (!(w = realloc(lx->w, cap * sizeof *w)))
			return -1;
		lx->w = w;
		lx->cap = cap;
	}
	w = &lx->w[lx->n];
	w->word = strdup(word);
	w->canon = canon ? strdup(canon) : NULL;
	w->len = strlen(word);
	if (!w->word || (canon && !w->canon)) {
		free(w->word);
		free(w->canon);
		return -1;
	}
	lx->n++;
	return 0;
}

/* Longest first, so that 物业管理费 wins over 物业. */
static int lex_cmp(const void *a, const void *b)
{
	size_t x = ((const struct lex_word *)a)->len, y = ((const struct lex_word *)b)->len;

	return x > y ? -1 : x < y;
}

int pm_faq_lex_load(struct pm_db *db, struct pm_faq_lex **out, struct pm_err *e)
{
	static const char sql[] = "SELECT word, canon FROM faq_synonym UNION ALL SELECT word, NULL FROM faq_stopword";
	struct pm_faq_lex *lx = calloc(1, sizeof *lx);
	sqlite3_stmt *st;
	int step = SQLITE_DONE;

	*out = NULL;
	if (!lx)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if (!(st = pm_db_stmt(db, sql, e))) {
		free(lx);
		return e->code;
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (lex_add(lx, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1))) {
			step = SQLITE_NOMEM;
			break;
		}
	sqlite3_reset(st);
	if (step != SQLITE_DONE) {
		pm_faq_lex_free(lx);
		return step == SQLITE_NOMEM ? pm_err_set(e, PM_EFAIL, _("out of memory"))
					    : pm_db_fail(db, e, _("cannot read the FAQ's synonyms"));
	}
	if (lx->n)
		qsort(lx->w, lx->n, sizeof *lx->w, lex_cmp);
	*out = lx;
	return PM_OK;
}

void pm_faq_lex_free(struct pm_faq_lex *lx)
{
	if (!lx)
		return;
	for (size_t i = 0; i < lx->n; i++) {
		free(lx->w[i].word);
		free(lx->w[i].canon);
	}
	free(lx->w);
	free(lx);
}

char *pm_faq_terms(const struct pm_faq_lex *lx, const char *s)
{
	struct strbuf b = {0};
	size_t i, len;

	sb_add(&b, "", 0);
	while (*s) {
		for (i = 0; lx && i < lx->n; i++)
			if (strncmp(s, lx->w[i].word, lx->w[i].len) == 0)
				break;
		if (lx && i < lx->n) {
			if (lx->w[i].canon)
				sb_str(&b, lx->w[i].canon);
			s += lx->w[i].len;
			continue;
		}
		utf8_next((const unsigned char *)s, strlen(s), &len);
		sb_add(&b, s, len);
		s += len;
	}
	return sb_take(&b);
}
