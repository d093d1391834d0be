import importlib

import pytest


@pytest.mark.parametrize(
    "module_name",
    ["pycodex_protocol", "pycodex_protocol.exec_events", "pycodex_protocol.errors", "pycodex_protocol.schema"],
)
def test_all_is_sorted_and_importable(module_name: str) -> None:
    module = importlib.import_module(module_name)
    names: list[str] = module.__all__
    assert names == sorted(names)
    assert len(set(names)) == len(names)
    for name in names:
        assert getattr(module, name) is not None, name


def test_package_exports_contract_names() -> None:
    import pycodex_protocol

    contract = {
        "InputText", "InputImage", "OutputText", "ContentItem", "Message", "Reasoning", "FunctionCall",
        "FunctionCallOutput", "CustomToolCall", "CustomToolCallOutput", "LocalShellCall", "WebSearchCall",
        "Compaction", "ResponseItem", "TokenUsage", "AskForApproval", "SandboxMode", "ReasoningEffort",
        "ReasoningSummary", "Verbosity", "ReviewDecision", "SandboxPolicy", "DangerFullAccessPolicy",
        "ReadOnlyPolicy", "WorkspaceWritePolicy", "ExternalSandboxPolicy", "Submission", "Op", "UserInputOp",
        "UserTurnOp", "InterruptOp", "ExecApprovalOp", "PatchApprovalOp", "CompactOp", "ShutdownOp",
        "OverrideTurnContextOp", "UserInput", "TextInput", "ImageInput", "LocalImageInput", "Event", "EventMsg",
        "SessionConfiguredEvent", "TaskStartedEvent", "TaskCompleteEvent", "TurnAbortedEvent", "AgentMessageEvent",
        "AgentMessageDeltaEvent", "AgentReasoningEvent", "AgentReasoningDeltaEvent", "UserMessageEvent",
        "ExecCommandBeginEvent", "ExecCommandOutputDeltaEvent", "ExecCommandEndEvent", "PatchApplyBeginEvent",
        "PatchApplyEndEvent", "FileChange", "AddFileChange", "DeleteFileChange", "UpdateFileChange", "TurnDiffEvent",
        "PlanUpdateEvent", "TokenCountEvent", "ErrorEvent", "StreamErrorEvent", "WarningEvent", "BackgroundEvent",
        "ContextCompactedEvent", "ShutdownCompleteEvent", "ExecApprovalRequestEvent",
        "ApplyPatchApprovalRequestEvent", "McpToolCallBeginEvent", "McpToolCallEndEvent", "WebSearchBeginEvent",
        "WebSearchEndEvent",
    }  # fmt: skip
    assert contract <= set(pycodex_protocol.__all__)


def test_exec_events_exports_contract_names() -> None:
    from pycodex_protocol import exec_events

    contract = {
        "ThreadStartedEvent", "TurnStartedEvent", "TurnCompletedEvent", "TurnFailedEvent", "ItemStartedEvent",
        "ItemUpdatedEvent", "ItemCompletedEvent", "ThreadErrorEvent", "ThreadEvent", "Usage", "AgentMessageItem",
        "ReasoningItem", "CommandExecutionItem", "FileChangeItem", "McpToolCallItem", "WebSearchItem",
        "TodoListItem", "ErrorItem", "ThreadItem",
    }  # fmt: skip
    assert contract <= set(exec_events.__all__)
