"""Problem titles by type, and the details the code writes in English, with their Chinese."""

from __future__ import annotations

from application.system_text import catalogue

# problem type (the slug after urn:scoretrail:problem:) → Chinese title
TITLES = {
    "evaluation-not-found": "评价不存在",
    "version-not-found": "版本不存在",
    "not-found": "资源不存在",
    "unknown-indicator": "指标不存在",
    "unknown-deduction": "扣分记录不存在",
    "unknown-dispute": "异议不存在",
    "unknown-note": "复核意见不存在",
    "unknown-evidence": "佐证材料不存在",
    "unknown-token": "令牌不存在",
    "unknown-webhook": "回调接收方不存在",
    "webhook-refused": "回调地址被拒绝",
    "invalid-value": "取值无效",
    "validation-failed": "校验未通过",
    "unprocessable-entity": "校验未通过",
    "malformed-request": "请求格式错误",
    "bad-request": "请求格式错误",
    "authentication-required": "需要身份认证",
    "unauthenticated": "需要身份认证",
    "forbidden": "无权操作",
    "not-permitted": "无权操作",
    "request-body-too-large": "请求体过大",
    "request-entity-too-large": "请求体过大",
    "unsupported-media-type": "不支持的文件类型",
    "evidence-too-large": "佐证材料文件过大",
    "evidence-type-refused": "不接受该类型的佐证材料",
    "evidence-changed": "佐证材料已被改动或缺失",
    "rendering-unavailable": "无法生成该格式的报告",
    "pdf-renderers-busy": "PDF 报告生成繁忙",
    "pdf-caller-busy": "PDF 报告生成中，请求过多",
    "pdf-render-stopped": "PDF 报告生成已中止",
    "concurrent-change": "并发修改冲突",
    "stale-version": "版本已变化",
    "precondition-failed": "前提条件不成立",
    "evaluation-locked": "评价已定稿",
    "reason-required": "需要说明理由",
    "deduction-refused": "扣分被拒绝",
    "score-refused": "得分被拒绝",
    "method-mismatch": "评分方法不符",
    "framework-rejected": "指标体系不成立",
    "framework-locked": "指标体系已锁定",
    "lifecycle-refused": "状态变更被拒绝",
    "unscored-leaves": "尚有指标未计分",
    "dispute-refused": "异议被拒绝",
    "note-refused": "复核意见被拒绝",
    "sign-off-refused": "签字被拒绝",
    "sign-off-not-permitted": "无权以该身份签字",
    "token-refused": "令牌申请被拒绝",
    "sheet-rejected": "评分表无法导入",
    "idempotency-key-reused": "幂等键已被使用",
    "store-busy": "存储繁忙",
    "internal": "内部错误",
    "method-not-allowed": "不支持该请求方法",
    "domain-error": "被业务规则拒绝",
}

# English detail (as the code writes it) → Chinese; groups are carried over in order.
DETAILS = catalogue(
    (
        (r"evaluation (\S+) does not exist", "评价 {0} 不存在"),
        (r"evaluation (\S+) has no version (\S+)", "评价 {0} 没有版本 {1}"),
        (r"evaluation (\S+) did not exist at (\S+)", "评价 {0} 在 {1} 时尚不存在"),
        (r"evaluation (\S+) has no (\S+) yet", "评价 {0} 尚无 {1}"),
        (
            r"unknown time zone '(.+)': give an IANA Area/Location name such as "
            r"Asia/Shanghai, or UTC",
            "未知时区 '{0}'：须为 IANA 的“区域/地点”名称（如 Asia/Shanghai）或 UTC",
        ),
        (r"unknown time zone '(.+)'", "未知时区 '{0}'"),
        (r"version (\S+) does not exist", "版本 {0} 不存在"),
        (r"indicator (\S+) does not exist", "指标 {0} 不存在"),
        (r"deduction (\S+) does not exist", "扣分记录 {0} 不存在"),
        (r"dispute (\S+) does not exist", "异议 {0} 不存在"),
        (r"note (\S+) does not exist", "复核意见 {0} 不存在"),
        (r"evidence file (\S+) does not exist", "佐证材料 {0} 不存在"),
        (r"evidence file (\S+) is not attached to this evaluation", "佐证材料 {0} 不属于该评价"),
        (
            r"evidence file (\S+) has sha256 (\S+), not (\S+)",
            "佐证材料 {0} 的 SHA-256 为 {1}，而非 {2}",
        ),
        (
            r"evidence file (.+) \((\S+)\) was changed: .*",
            "佐证材料 {0}（{1}）已被改动：内容与记录的 SHA-256 不符",
        ),
        (
            r"evidence file (.+) \((\S+)\) is missing from the store",
            "佐证材料 {0}（{1}）在存储中缺失",
        ),
        (
            r"the file has (\d+) bytes; evidence files are accepted up to (\d+) bytes \((.+)\)",
            "文件大小 {0} 字节，佐证材料最多接受 {1} 字节（{2}）",
        ),
        (
            r"the upload has (\d+) bytes; evidence files are accepted up to (\d+) bytes \((.+)\)",
            "上传内容 {0} 字节，佐证材料最多接受 {1} 字节（{2}）",
        ),
        (
            r"the upload is larger than evidence files may be: up to (\d+) bytes \((.+)\)",
            "上传内容超过佐证材料的大小上限：最多 {0} 字节（{1}）",
        ),
        (r"files of type (\S+) are not accepted as evidence", "不接受 {0} 类型的文件作为佐证材料"),
        (
            r"the evaluation is finalized; reopen it before changing anything",
            "评价已定稿，修改前须先重新打开",
        ),
        (r"(?:.+) needs a non-empty reason", "须填写非空的理由"),
        (r"a dispute needs its grounds", "异议须写明理由"),
        (r"points must be greater than 0, got (\S+)", "扣分须大于 0，收到 {0}"),
        (
            r"deducting (\S+) from (\S+) would take its score below 0 \(weight (\S+), "
            r"(?:already deducted|other deductions) (\S+)\)",
            "从 {1} 扣除 {0} 分将使其得分低于 0（分值 {2}，已扣 {3}）",
        ),
        (
            r"score (\S+) for (\S+) must lie between 0 and the weight (\S+)",
            "{1} 的得分 {0} 须在 0 与分值 {2} 之间",
        ),
        (
            r"indicator (\S+) is a parent; its score is the sum of its children",
            "指标 {0} 是上级指标，其得分为下级之和",
        ),
        (r"indicator (\S+) is scored by (\S+), not (\S+)", "指标 {0} 按 {1} 方法评分，而非 {2}"),
        (
            r"the framework cannot be replaced once scoring has started",
            "评分开始后不能再替换指标体系",
        ),
        (r"deduction (\S+) is already (\S+)", "扣分记录 {0} 已是 {1} 状态"),
        (r"only a draft can be submitted, not (\S+)", "只有草稿可以提交，当前为 {0}"),
        (
            r"submission waits for a score on every leaf; unscored: (.+)",
            "每项末级指标计分后方可提交；尚未计分：{0}",
        ),
        (
            r"finalization waits for a score on every leaf; unscored: (.+)",
            "每项末级指标计分后方可定稿；尚未计分：{0}",
        ),
        (
            r"only a submitted evaluation can be finalized, not (\S+)",
            "只有已提交的评价可以定稿，当前为 {0}",
        ),
        (
            r"(\d+) dispute\(s\) are still open; decide them before finalizing",
            "尚有 {0} 项异议未裁定，须先裁定再定稿",
        ),
        (
            r"only a finalized evaluation can be reopened, not (\S+)",
            "只有已定稿的评价可以重新打开，当前为 {0}",
        ),
        (r"indicator (\S+) has no score to dispute yet", "指标 {0} 尚无得分，无法提出异议"),
        (r"dispute (\S+) is already decided \((\S+)\)", "异议 {0} 已裁定（{1}）"),
        (
            r"amending dispute (\S+) takes the score of (\S+) from (\S+) to (\S+), below what "
            r"was disputed; confirm with confirm_worse",
            "按此变更，指标 {1} 的得分将由 {2} 降为 {3}，比提出异议前更低，对提出异议的一方不利"
            "（异议 {0}）。如确需如此，请勾选确认（confirm_worse）并在裁定理由中说明。",
        ),
        (
            r"(.+) recorded the disputed deduction and may not decide dispute (\S+)",
            "{0} 记录了被异议的扣分，不能裁定异议 {1}",
        ),
        (r"(.+) raised dispute (\S+) and may not decide it", "{0} 提出了异议 {1}，不能自行裁定"),
        (r"note (\S+) is already resolved", "复核意见 {0} 已解决"),
        (
            r"the request is well formed but some fields are invalid",
            "请求格式正确，但部分字段未通过校验",
        ),
        (
            r"this API needs a bearer token: .*",
            "此接口需要令牌：请发送 Authorization: Bearer <令牌>",
        ),
        (r"the bearer token is malformed, unknown or revoked", "令牌格式错误、未知或已撤销"),
        (r"the role (\S+) does not allow (\S+)", "角色 {0} 无权执行 {1}"),
        (
            r"another change (?:to this evaluation )?was saved first; nothing (?:of this request )?"
            r"was recorded",
            "另一项修改已先保存；本次未记录任何内容",
        ),
        (r"the evaluation is at version (\d+), not (\d+)", "评价当前为版本 {0}，而非 {1}"),
        (r"an unexpected error occurred; it has been logged", "发生意外错误，已记录日志"),
        (
            r"the store is busy or unreachable; nothing was recorded, retry shortly",
            "存储繁忙或不可达；未记录任何内容，请稍后重试",
        ),
        (r"every evidence item needs a title", "每项佐证材料都需要标题"),
        (
            r"the sheet has (\d+) problems?; nothing was recorded",
            "评分表有 {0} 处问题；未记录任何内容",
        ),
        (r"sha256 must be 64 hexadecimal digits", "sha256 须为 64 位十六进制数"),
        (
            r"(.+) \((\S+)\) may not sign as (\S+): only (\S+) accounts"
            r"(?: of the evaluated unit)? sign in that capacity",
            "{0}（{1}）不能以「{2}」身份签字：该身份只由 {3} 角色的账号签署",
        ),
        (
            r"capacity (.+) is not in the sign-off block; use one of (.+)",
            "签字身份「{0}」不在签字栏中，可用：{1}",
        ),
        (
            r"capacity (.+) holds invisible or control characters: (.+)",
            "签字身份 {0} 含有不可见字符或控制字符：{1}",
        ),
        (r"a sign-off names the capacity it is given in", "签字须写明签字身份"),
        # the signer's lines of the sign-off block (domain.signoffs)
        *(
            (
                name + r" (.+) holds invisible or control characters: (.+)",
                label + " {0} 含有不可见字符或控制字符：{1}",
            )
            for name, label in (
                ("title", "职务/职称"),
                ("organization", "单位"),
                ("phone", "联系电话"),
            )
        ),
        *(
            (name + r" is (\d+) characters; at most (\d+)", label + "有 {0} 个字符，至多 {1} 个")
            for name, label in (
                ("title", "职务/职称"),
                ("organization", "单位"),
                ("phone", "联系电话"),
            )
        ),
        (
            r"phone (.+) holds (.+): a phone number has only digits, spaces, \+, - and parentheses",
            "联系电话 {0} 含有 {1}：电话号码只能由数字、空格、+、- 和括号组成",
        ),
        (r"phone (.+) has no digit", "联系电话 {0} 没有数字"),
        (
            r"all (\d+) PDF renderers are busy; retry shortly",
            "全部 {0} 个 PDF 生成进程均忙，请稍后重试",
        ),
        (
            r"(\d+) PDF reports of this caller are rendering; retry when one is done",
            "您已有 {0} 份 PDF 报告正在生成，请待其完成后重试",
        ),
        (
            r"the PDF took longer than (\S+) seconds and was stopped",
            "PDF 报告生成超过 {0} 秒，已中止",
        ),
        (r"the PDF renderer stopped unexpectedly", "PDF 生成进程意外中止，请稍后重试"),
        (r"the PDF renderers are shut down", "PDF 生成进程已关闭"),
        # the self-evaluation form's header and funds block (domain.form)
        (r"the form already reads as given; nothing to record", "自评表已是所填内容，未作记录"),
        (r"the form has no field (\S+)", "自评表没有字段 {0}"),
        (r"(\S+) is (\d+) characters; at most (\d+)", "{0} 有 {1} 个字符，至多 {2} 个"),
        (
            r"report_date must be a date written YYYY-MM-DD, got (.+)",
            "报告日期须写作 YYYY-MM-DD，收到 {0}",
        ),
        (r"a funds row names its source", "项目资金的每一行须写明资金来源"),
        (r"(\S+) is required", "{0} 必须填写"),
        (r"(\S+) must not be negative, got (\S+)", "{0} 不能为负数，收到 {1}"),
        (r"the funds of (.+) already stand as given", "{0} 的资金已是所填数额，未作记录"),
        (r"funds source (.+) is given twice", "资金来源 {0} 重复"),
        (
            r"data entry (\S+) is the sum of the funds block; correct the funds instead",
            "数据项 {0} 是项目资金的合计，请更正项目资金",
        ),
        (
            r"data entry (\S+) is recorded; the funds block would give it again",
            "数据项 {0} 已录入，项目资金不能再给出同一数字",
        ),
    )
)
