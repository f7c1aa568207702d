package ferry

import (
	"net/http"
	"sort"
)

// Code is a stable numeric error code. Codes are never renumbered or reused:
// each constant below is written out by hand, never derived from iota.
// Families follow the seven kinds of hidden rules of the source article.
type Code int

// File compliance (1xxx).
const (
	CodeFileTypeNotAllowed    Code = 1001
	CodeFileTypeMismatch      Code = 1002
	CodeFileTypeBlocked       Code = 1003
	CodeFileNameInvalid       Code = 1004
	CodeFileSizeMismatch      Code = 1005
	CodeFileTooLargeForType   Code = 1006
	CodeChecksumMismatch      Code = 1007
	CodeChunkChecksumMismatch Code = 1008
)

// Protocol and transport (2xxx).
const (
	CodeClientTooOld                 Code = 2001
	CodeProtocolUnsupported          Code = 2002
	CodeUploadStalled                Code = 2003
	CodeUploadOffsetConflict         Code = 2004
	CodeChecksumAlgorithmUnsupported Code = 2005
	CodeUploadLocked                 Code = 2006
	CodeUploadInterrupted            Code = 2007
)

// Load and schedule (3xxx).
const (
	CodeServerBusy        Code = 3001
	CodeMaintenanceWindow Code = 3002
	CodeRegionRestricted  Code = 3003
	CodePeakHoursLimit    Code = 3004
)

// Account security (4xxx).
const (
	CodeLoginFailed          Code = 4001
	CodeStepUpRequired       Code = 4002
	CodeAccountRestricted    Code = 4003
	CodeRecipientUnavailable Code = 4004
	CodeOneTimeCodeInvalid   Code = 4005
	CodeTOTPNotEnrolled      Code = 4006
	CodeTOTPAlreadyEnrolled  Code = 4007
)

// Content security (5xxx).
const (
	CodeSensitiveContent Code = 5001
	CodeMalwareDetected  Code = 5002
	CodeArchiveLimit     Code = 5003
	CodeArchiveEncrypted Code = 5004
	CodeScanUnavailable  Code = 5005
)

// Quota (6xxx).
const (
	CodeStorageQuotaExceeded Code = 6001
	CodeFileTooLarge         Code = 6002
	CodeDailyVolumeExceeded  Code = 6003
)

// Abuse and anomalies (7xxx).
const (
	CodeTooManyUploads    Code = 7001
	CodeUploadRateAnomaly Code = 7002
	CodeSessionAnomaly    Code = 7003
)

// API (8xxx).
const (
	CodeUnauthenticated        Code = 8001
	CodeForbidden              Code = 8002
	CodeNotFound               Code = 8003
	CodeBadRequest             Code = 8004
	CodeTransferExpired        Code = 8005
	CodeTransferGone           Code = 8006
	CodeStateConflict          Code = 8007
	CodeAlreadyExists          Code = 8008
	CodeUnsupportedContentType Code = 8009
	CodeMethodNotAllowed       Code = 8010
	CodeRequestTooLarge        Code = 8011
)

// Server (9xxx).
const (
	CodeInternal            Code = 9000
	CodeStorageUnavailable  Code = 9001
	CodeDatabaseUnavailable Code = 9002
)

// Text is a message and a remedy in one language. Message is always usable;
// Detailed, when set, is a fuller message with {key} placeholders filled from
// the error's details, used only when every placeholder has a value.
type Text struct {
	Message  string `json:"message"`
	Detailed string `json:"detailed,omitempty"`
	Remedy   string `json:"remedy"`
}

// CodeInfo is one entry of the catalogue.
type CodeInfo struct {
	Code   Code   `json:"code"`
	Name   string `json:"name"`
	Status int    `json:"status"`
	// Retryable says that a client may send the same request again by
	// itself, after the error's Retry-After when it has one (a busy server,
	// a damaged chunk, a full 24-hour volume). A code that needs the user
	// first (4002: a one-time code) or lifts only after a long time (4003)
	// is not retryable, though its Retry-After still says when it lifts.
	Retryable bool `json:"retryable"`
	En        Text `json:"en"`
	Zh        Text `json:"zh"`
}

// Info returns the catalogue entry of c; an unknown code gets the entry of
// CodeInternal.
func (c Code) Info() CodeInfo {
	if info, ok := catalogue[c]; ok {
		return info
	}
	return catalogue[CodeInternal]
}

// Name returns the stable name of c, e.g. "FILE_TYPE_NOT_ALLOWED".
func (c Code) Name() string { return c.Info().Name }

// Codes returns the whole catalogue, ordered by code.
func Codes() []CodeInfo {
	out := make([]CodeInfo, 0, len(catalogue))
	for _, info := range catalogue {
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// catalogue is the one source of truth for codes: name, HTTP status,
// retryability, and the message and remedy in English and Chinese.
var catalogue = func() map[Code]CodeInfo {
	m := make(map[Code]CodeInfo, len(catalogueEntries))
	for _, e := range catalogueEntries {
		if _, dup := m[e.Code]; dup {
			panic("ferry: duplicate code in catalogue")
		}
		m[e.Code] = e
	}
	return m
}()

var catalogueEntries = []CodeInfo{
	// 1xxx file compliance
	{CodeFileTypeNotAllowed, "FILE_TYPE_NOT_ALLOWED", http.StatusUnsupportedMediaType, false,
		Text{"This file type is not allowed for your account.", "Files of type {extension} are not allowed for your account.", "Send a file of an allowed type (see `ferry check` or GET /api/v1/policy), convert it (for example to PDF), or ask an administrator about a tier that allows it."},
		Text{"您的账号不允许发送此类型的文件。", "您的账号不允许发送 {extension} 类型的文件。", "请发送允许的类型(见 `ferry check` 或 GET /api/v1/policy),或转换格式(例如转为 PDF),或联系管理员开通允许此类型的等级。"}},
	{CodeFileTypeMismatch, "FILE_TYPE_MISMATCH", http.StatusUnsupportedMediaType, false,
		Text{"The file's content does not match its name.", "The file is named as {declared_type} but its content is {detected_type}.", "Rename the file with the extension that matches its content, or send the original file."},
		Text{"文件内容与文件名所示类型不符。", "文件名表明是 {declared_type},但内容实际是 {detected_type}。", "请使用与内容相符的扩展名,或发送原始文件。"}},
	{CodeFileTypeBlocked, "FILE_TYPE_BLOCKED", http.StatusUnsupportedMediaType, false,
		Text{"This file type is blocked for everyone because it can be dangerous.", "Files of type {extension} are blocked for everyone because they can be dangerous.", "Shortcuts and link files cannot be sent. Send the file they point to instead, or put the content in an allowed format."},
		Text{"此类文件存在安全风险,任何人都不能发送。", "{extension} 类型的文件存在安全风险,任何人都不能发送。", "快捷方式和链接文件无法发送。请发送它指向的原文件,或改用允许的格式。"}},
	{CodeFileNameInvalid, "FILE_NAME_INVALID", http.StatusUnprocessableEntity, false,
		Text{"The file name is not safe to store.", "The file name is not safe to store: {reason}.", "Rename the file: no control characters, slashes or backslashes, not a reserved device name (CON, NUL, COM1…), at most 255 bytes. Chinese, spaces and emoji are fine."},
		Text{"文件名不安全,无法保存。", "文件名不安全,无法保存:{reason}。", "请重命名文件:不含控制字符、斜杠或反斜杠,不是保留设备名(CON、NUL、COM1 等),不超过 255 字节。中文、空格和表情符号都可以使用。"}},
	{CodeFileSizeMismatch, "FILE_SIZE_MISMATCH", http.StatusUnprocessableEntity, false,
		Text{"The bytes received differ from the declared file size.", "The file was declared as {declared} bytes but {actual} bytes arrived.", "The file may have changed while it was being sent. Send it again."},
		Text{"收到的字节数与声明的文件大小不符。", "文件声明大小为 {declared} 字节,实际收到 {actual} 字节。", "文件可能在发送过程中被修改。请重新发送。"}},
	{CodeFileTooLargeForType, "FILE_TOO_LARGE_FOR_TYPE", http.StatusRequestEntityTooLarge, false,
		Text{"The file is larger than allowed for its type.", "Files in the group {group} may be at most {limit}; this one is {actual}.", "Compress or split the file, or send it in another format."},
		Text{"文件超过了该类型允许的大小。", "{group} 类文件最大为 {limit},此文件为 {actual}。", "请压缩或拆分文件,或改用其他格式发送。"}},
	{CodeChecksumMismatch, "CHECKSUM_MISMATCH", http.StatusUnprocessableEntity, false,
		Text{"The file's SHA-256 does not match the declared checksum.", "", "The file was damaged on the way or changed while it was being sent. Send it again."},
		Text{"文件的 SHA-256 与声明的校验值不符。", "", "文件在传输中损坏或在发送过程中被修改。请重新发送。"}},
	{CodeChunkChecksumMismatch, "CHUNK_CHECKSUM_MISMATCH", 460, true,
		Text{"This chunk was damaged on the way; it was discarded.", "", "Send the same chunk again; the bytes received before it are kept."},
		Text{"此数据块在传输中损坏,已丢弃。", "", "请重新发送该数据块;之前收到的数据仍然保留。"}},

	// 2xxx protocol and transport
	{CodeClientTooOld, "CLIENT_TOO_OLD", http.StatusUpgradeRequired, false,
		Text{"Your client is too old.", "Your client version {actual} is older than the minimum {limit}.", "Update ferry (or your client) to the minimum version or newer."},
		Text{"您的客户端版本过旧。", "您的客户端版本 {actual} 低于最低要求 {limit}。", "请将 ferry(或您的客户端)升级到最低版本或更新版本。"}},
	{CodeProtocolUnsupported, "PROTOCOL_UNSUPPORTED", http.StatusPreconditionFailed, false,
		Text{"The upload protocol version is not supported.", "The upload protocol version {actual} is not supported; this server speaks tus {supported}.", "Use a tus 1.0.0 client, such as the ferry command line."},
		Text{"不支持此上传协议版本。", "不支持上传协议版本 {actual};本服务器支持 tus {supported}。", "请使用支持 tus 1.0.0 的客户端,例如 ferry 命令行。"}},
	{CodeUploadStalled, "UPLOAD_STALLED", http.StatusGone, false,
		Text{"The upload made no progress for too long and was abandoned.", "The upload made no progress for {limit} and was abandoned.", "Send the file again. Resume an interrupted upload before it is abandoned: run the same `ferry send` again."},
		Text{"上传长时间没有进展,已被放弃。", "上传在 {limit} 内没有进展,已被放弃。", "请重新发送文件。上传中断后请及时续传:再次运行同一条 `ferry send` 命令即可。"}},
	{CodeUploadOffsetConflict, "UPLOAD_OFFSET_CONFLICT", http.StatusConflict, true,
		Text{"The upload offset does not match what the server holds.", "The upload continues at byte {expected}, not at byte {actual}.", "Ask the server for the current offset (HEAD) and continue from there; ferry and tus clients do this on their own."},
		Text{"上传偏移量与服务器记录不一致。", "上传应从第 {expected} 字节继续,而不是第 {actual} 字节。", "请先查询当前偏移量(HEAD)再继续;ferry 和 tus 客户端会自动处理。"}},
	{CodeChecksumAlgorithmUnsupported, "CHECKSUM_ALGORITHM_UNSUPPORTED", http.StatusBadRequest, false,
		Text{"The checksum algorithm is not supported.", "The checksum algorithm {actual} is not supported; use one of {supported}.", "Use sha256 (or sha1, md5) in Upload-Checksum."},
		Text{"不支持此校验算法。", "不支持校验算法 {actual};请使用 {supported} 之一。", "请在 Upload-Checksum 中使用 sha256(或 sha1、md5)。"}},
	{CodeUploadLocked, "UPLOAD_LOCKED", http.StatusLocked, true,
		Text{"Another request is writing to this upload right now.", "", "Wait a moment and resume; a stalled earlier connection is released automatically."},
		Text{"另一个请求正在写入此上传。", "", "请稍候再续传;停滞的旧连接会被自动释放。"}},

	{CodeUploadInterrupted, "UPLOAD_INTERRUPTED", http.StatusBadRequest, true,
		Text{"The upload broke off; the bytes received so far are kept.", "The upload broke off at byte {offset}; the bytes received so far are kept.", "Resume the upload: run the same `ferry send` again, or let your tus client continue from Upload-Offset."},
		Text{"上传中断;已收到的数据已保留。", "上传在第 {offset} 字节处中断;已收到的数据已保留。", "请续传:再次运行同一条 `ferry send` 命令,或让 tus 客户端从 Upload-Offset 继续。"}},

	// 3xxx load and schedule
	{CodeServerBusy, "SERVER_BUSY", http.StatusServiceUnavailable, true,
		Text{"The server is busy.", "The server is busy; try again in {retry_after_seconds} seconds.", "Try again after the time given in Retry-After."},
		Text{"服务器繁忙。", "服务器繁忙,请在 {retry_after_seconds} 秒后重试。", "请在 Retry-After 指定的时间之后重试。"}},
	{CodeMaintenanceWindow, "MAINTENANCE_WINDOW", http.StatusServiceUnavailable, true,
		Text{"Sending is paused for a maintenance window.", "Sending is paused for maintenance until {until}.", "Try again when the window ends (see Retry-After)."},
		Text{"维护时段内暂停发送。", "维护期间暂停发送,直到 {until}。", "请在维护结束后重试(见 Retry-After)。"}},
	{CodeRegionRestricted, "REGION_RESTRICTED", http.StatusForbidden, false,
		Text{"Sending is not allowed from your network.", "Sending is not allowed from your network ({region}).", "Send from an allowed network, or ask an administrator."},
		Text{"您所在的网络不允许发送。", "您所在的网络({region})不允许发送。", "请在允许的网络中发送,或联系管理员。"}},
	{CodePeakHoursLimit, "PEAK_HOURS_LIMIT", http.StatusTooManyRequests, true,
		Text{"Your tier cannot send this now because of peak-hour limits.", "", "Try again after peak hours (see Retry-After), or send a smaller file."},
		Text{"高峰时段内您的账号等级无法发送此文件。", "", "请在高峰时段过后重试(见 Retry-After),或发送较小的文件。"}},

	// 4xxx account security
	{CodeLoginFailed, "LOGIN_FAILED", http.StatusUnauthorized, false,
		Text{"The user name or password is wrong.", "", "Check the user name and password. After repeated failures a one-time code will be required."},
		Text{"用户名或密码错误。", "", "请检查用户名和密码。多次失败后需要输入一次性验证码。"}},
	{CodeStepUpRequired, "STEP_UP_REQUIRED", http.StatusForbidden, false,
		Text{"Confirm it is you with a one-time code before sending.", "", "Enter the code from your authenticator app, or wait for the cool-down given in Retry-After if you have not enrolled one."},
		Text{"发送前请用一次性验证码确认身份。", "", "请输入身份验证器中的验证码;如未绑定,请等待 Retry-After 指定的冷却时间。"}},
	{CodeAccountRestricted, "ACCOUNT_RESTRICTED", http.StatusForbidden, false,
		Text{"Sending is suspended for your account.", "Sending is suspended for your account until {until}.", "Wait until the time given, or ask an administrator to review your account."},
		Text{"您的账号已被暂停发送。", "您的账号已被暂停发送,直到 {until}。", "请等待到指定时间,或联系管理员审核账号。"}},
	{CodeRecipientUnavailable, "RECIPIENT_UNAVAILABLE", http.StatusUnprocessableEntity, false,
		Text{"A recipient does not exist or cannot receive files.", "The recipient {recipient} does not exist or cannot receive files.", "Check the recipient's user name."},
		Text{"收件人不存在或无法接收文件。", "收件人 {recipient} 不存在或无法接收文件。", "请检查收件人的用户名。"}},

	{CodeOneTimeCodeInvalid, "ONE_TIME_CODE_INVALID", http.StatusUnauthorized, false,
		Text{"The one-time code is wrong or has expired.", "", "Enter the current 6-digit code from your authenticator app; check that your device's clock is right."},
		Text{"一次性验证码错误或已过期。", "", "请输入身份验证器中当前的 6 位验证码;并检查设备时间是否准确。"}},

	{CodeTOTPNotEnrolled, "TOTP_NOT_ENROLLED", http.StatusConflict, false,
		Text{"No authenticator app is enrolled for your account.", "", "Enrol one first: run `ferry totp enroll` (POST /api/v1/me/totp), add the secret to your authenticator app, then confirm one of its codes with `ferry totp confirm CODE`."},
		Text{"您的账号尚未绑定身份验证器。", "", "请先绑定:运行 `ferry totp enroll`(POST /api/v1/me/totp),将密钥添加到身份验证器应用,再用 `ferry totp confirm 验证码` 确认。"}},
	{CodeTOTPAlreadyEnrolled, "TOTP_ALREADY_ENROLLED", http.StatusConflict, false,
		Text{"An authenticator app is already enrolled for your account.", "", "Use its codes (`ferry step-up CODE`). If you lost it, ask an administrator to remove the enrolment, then enrol again."},
		Text{"您的账号已绑定身份验证器。", "", "请使用其中的验证码(`ferry step-up 验证码`)。如已丢失,请联系管理员解除绑定后重新绑定。"}},

	// 5xxx content security
	{CodeSensitiveContent, "SENSITIVE_CONTENT", http.StatusUnprocessableEntity, false,
		Text{"The file matches a content rule of your organisation.", "The file matches a content rule ({category}) in {where}.", "Remove the matching content, or ask an administrator if you believe this is a mistake."},
		Text{"文件命中了贵机构的内容规则。", "文件在 {where} 命中了内容规则({category})。", "请删除相关内容;如认为有误,请联系管理员。"}},
	{CodeMalwareDetected, "MALWARE_DETECTED", http.StatusUnprocessableEntity, false,
		Text{"The file contains malware.", "The file contains malware ({signature}).", "Do not send this file. Clean the computer it came from, then send a clean copy."},
		Text{"文件中检测到恶意软件。", "文件中检测到恶意软件({signature})。", "请勿发送此文件。请先清理来源电脑,再发送干净的副本。"}},
	{CodeArchiveLimit, "ARCHIVE_LIMIT", http.StatusUnprocessableEntity, false,
		Text{"The archive is too deep, too large when unpacked, or has too many entries to inspect.", "The archive exceeds the {limit_name} limit of {limit}.", "Unpack it and send the files, or split it into smaller archives."},
		Text{"压缩包层级过深、解压后过大或条目过多,无法检查。", "压缩包超过了 {limit_name} 限制({limit})。", "请解压后发送其中的文件,或拆分为较小的压缩包。"}},
	{CodeArchiveEncrypted, "ARCHIVE_ENCRYPTED", http.StatusUnprocessableEntity, false,
		Text{"The archive is encrypted and cannot be inspected.", "", "Send the archive without a password, and share any secret another way."},
		Text{"压缩包已加密,无法检查。", "", "请发送未加密的压缩包,敏感内容请通过其他方式共享。"}},
	{CodeScanUnavailable, "SCAN_UNAVAILABLE", http.StatusServiceUnavailable, true,
		Text{"The file could not be scanned, so it was not delivered.", "", "This is temporary. Send the file again later."},
		Text{"文件无法完成安全扫描,因此未投递。", "", "这是暂时性问题。请稍后重新发送。"}},

	// 6xxx quota
	{CodeStorageQuotaExceeded, "STORAGE_QUOTA_EXCEEDED", http.StatusRequestEntityTooLarge, false,
		Text{"Your storage quota would be exceeded.", "Your storage quota is {limit}; {used} is in use and this file needs {actual}.", "Recall transfers you no longer need, wait for old ones to expire, or ask for a larger quota."},
		Text{"将超出您的存储配额。", "您的存储配额为 {limit},已使用 {used},此文件需要 {actual}。", "请撤回不再需要的传输、等待旧文件过期,或申请更大的配额。"}},
	{CodeFileTooLarge, "FILE_TOO_LARGE", http.StatusRequestEntityTooLarge, false,
		Text{"The file is larger than your tier allows.", "Your tier allows files of at most {limit}; this one is {actual}.", "Split or compress the file, or ask for a tier with a larger limit."},
		Text{"文件超过了您的账号等级允许的大小。", "您的账号等级单个文件最大为 {limit},此文件为 {actual}。", "请拆分或压缩文件,或申请更高的账号等级。"}},
	{CodeDailyVolumeExceeded, "DAILY_VOLUME_EXCEEDED", http.StatusTooManyRequests, true,
		Text{"You have sent as much as your tier allows in 24 hours.", "Your tier allows {limit} per 24 hours; {used} was sent and this file needs {actual}.", "Wait until enough volume frees up (see Retry-After), or ask for a higher tier."},
		Text{"您在 24 小时内的发送量已达上限。", "您的账号等级每 24 小时可发送 {limit},已发送 {used},此文件需要 {actual}。", "请等待额度释放后重试(见 Retry-After),或申请更高的账号等级。"}},

	// 7xxx abuse and anomalies
	{CodeTooManyUploads, "TOO_MANY_UPLOADS", http.StatusTooManyRequests, true,
		Text{"Too many new transfers in a short time.", "At most {limit} new transfers per {per} are allowed.", "Wait a moment (see Retry-After), or put many small files into one archive."},
		Text{"短时间内新建传输过多。", "每 {per} 最多新建 {limit} 个传输。", "请稍候重试(见 Retry-After),或将多个小文件打包后发送。"}},
	{CodeUploadRateAnomaly, "UPLOAD_RATE_ANOMALY", http.StatusTooManyRequests, true,
		Text{"Your upload rate is unusually high for your account.", "", "Slow down, or ask an administrator for a tier that expects this rate."},
		Text{"您的上传速率对该账号而言异常偏高。", "", "请降低上传速度,或联系管理员申请适合的账号等级。"}},
	{CodeSessionAnomaly, "SESSION_ANOMALY", http.StatusForbidden, false,
		Text{"Your account is active from too many networks at once.", "Your account is active from {actual} networks at once; at most {limit} are allowed.", "Sign out on devices you do not use, then try again."},
		Text{"您的账号同时在过多网络中使用。", "您的账号同时在 {actual} 个网络中使用,最多允许 {limit} 个。", "请退出不使用的设备后重试。"}},

	// 8xxx API
	{CodeUnauthenticated, "UNAUTHENTICATED", http.StatusUnauthorized, false,
		Text{"Sign in first.", "", "Run `ferry login`, or send Authorization: Bearer <token>."},
		Text{"请先登录。", "", "请运行 `ferry login`,或在请求中携带 Authorization: Bearer <token>。"}},
	{CodeForbidden, "FORBIDDEN", http.StatusForbidden, false,
		Text{"You are not allowed to do this.", "", "Ask an administrator if you need this permission."},
		Text{"您无权执行此操作。", "", "如需此权限,请联系管理员。"}},
	{CodeNotFound, "NOT_FOUND", http.StatusNotFound, false,
		Text{"Not found.", "", "Check the ID; transfers addressed to others are not visible to you."},
		Text{"未找到。", "", "请检查 ID;发给他人的传输对您不可见。"}},
	{CodeBadRequest, "BAD_REQUEST", http.StatusBadRequest, false,
		Text{"The request is not valid.", "The request is not valid: {reason}.", "Check the request against the API documentation."},
		Text{"请求无效。", "请求无效:{reason}。", "请对照 API 文档检查请求。"}},
	{CodeTransferExpired, "TRANSFER_EXPIRED", http.StatusGone, false,
		Text{"The transfer has expired and its file was deleted.", "", "Ask the sender to send the file again."},
		Text{"该传输已过期,文件已删除。", "", "请让发件人重新发送。"}},
	{CodeTransferGone, "TRANSFER_GONE", http.StatusGone, false,
		Text{"The transfer was recalled by its sender or declined.", "The transfer was {state}.", "Ask the sender if you still need the file."},
		Text{"该传输已被发件人撤回或已被拒收。", "该传输已{state}。", "如仍需要该文件,请联系发件人。"}},
	{CodeStateConflict, "STATE_CONFLICT", http.StatusConflict, false,
		Text{"The transfer is not in a state that allows this.", "The transfer is {state}, which does not allow this.", "Reload the transfer to see its current state."},
		Text{"传输当前的状态不允许此操作。", "传输当前为 {state} 状态,不允许此操作。", "请刷新查看传输的当前状态。"}},
	{CodeAlreadyExists, "ALREADY_EXISTS", http.StatusConflict, false,
		Text{"It already exists.", "", "Choose another name."},
		Text{"已存在。", "", "请换一个名称。"}},
	{CodeUnsupportedContentType, "UNSUPPORTED_CONTENT_TYPE", http.StatusUnsupportedMediaType, false,
		Text{"The request body has the wrong content type.", "The request body must be {expected}.", "Send the body with the content type the endpoint expects."},
		Text{"请求体的内容类型不正确。", "请求体必须为 {expected}。", "请使用该接口要求的内容类型。"}},
	{CodeMethodNotAllowed, "METHOD_NOT_ALLOWED", http.StatusMethodNotAllowed, false,
		Text{"This method is not allowed here.", "", "Check the API documentation for the methods of this path."},
		Text{"此路径不支持该请求方法。", "", "请查阅 API 文档中该路径支持的方法。"}},
	{CodeRequestTooLarge, "REQUEST_TOO_LARGE", http.StatusRequestEntityTooLarge, false,
		Text{"The request is too large.", "", "Send file content through the upload endpoint, not in the request body."},
		Text{"请求过大。", "", "文件内容请通过上传接口发送,不要放在请求体中。"}},

	// 9xxx server
	{CodeInternal, "INTERNAL", http.StatusInternalServerError, true,
		Text{"Something went wrong on the server.", "", "Try again. If it persists, tell an administrator the time of the error."},
		Text{"服务器内部错误。", "", "请重试。如持续出现,请将出错时间告知管理员。"}},
	{CodeStorageUnavailable, "STORAGE_UNAVAILABLE", http.StatusServiceUnavailable, true,
		Text{"File storage is unavailable right now.", "", "Try again in a few minutes; uploads resume where they stopped."},
		Text{"文件存储暂时不可用。", "", "请几分钟后重试;上传会从中断处继续。"}},
	{CodeDatabaseUnavailable, "DATABASE_UNAVAILABLE", http.StatusServiceUnavailable, true,
		Text{"The database is unavailable right now.", "", "Try again in a few minutes."},
		Text{"数据库暂时不可用。", "", "请几分钟后重试。"}},
}
