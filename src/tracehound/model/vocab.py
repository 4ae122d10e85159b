"""The fixed vocabularies of the report contract (REPORT_FORMAT.md): types, severities, OWASP ids.

They are StrEnums so that a value is its own wire form: ``SensitiveType.EMAIL == "email"``.
"""

from __future__ import annotations

from enum import StrEnum


class SensitiveType(StrEnum):
    EMAIL = "email"
    PHONE_NUMBER = "phone_number"
    CREDIT_CARD = "credit_card"
    US_SSN = "us_ssn"
    IBAN = "iban"
    IP_ADDRESS = "ip_address"
    DATE_OF_BIRTH = "date_of_birth"
    PERSON_NAME = "person_name"
    STREET_ADDRESS = "street_address"
    POSTAL_CODE = "postal_code"
    PASSPORT_NUMBER = "passport_number"
    JWT = "jwt"
    BEARER_TOKEN = "bearer_token"  # noqa: S105 - a type name, not a secret
    PASSWORD = "password"  # noqa: S105 - a type name, not a secret
    API_KEY = "api_key"
    AWS_ACCESS_KEY = "aws_access_key"
    PRIVATE_KEY = "private_key"


class DetectionType(StrEnum):
    # Injection and request attacks
    SQLI = "sqli"
    NOSQLI = "nosqli"
    XSS = "xss"
    PATH_TRAVERSAL = "path_traversal"
    FILE_INCLUSION = "file_inclusion"
    COMMAND_INJECTION = "command_injection"
    SSRF = "ssrf"
    XXE = "xxe"
    SSTI = "ssti"
    LOG4SHELL = "log4shell"
    LDAP_INJECTION = "ldap_injection"
    CRLF_INJECTION = "crlf_injection"
    INSECURE_DESERIALIZATION = "insecure_deserialization"
    OPEN_REDIRECT = "open_redirect"
    # Anomaly against learned behaviour
    SCHEMA_VIOLATION = "schema_violation"
    UNKNOWN_PARAMETER = "unknown_parameter"
    # Abuse and access control
    BOLA = "bola"
    BROKEN_AUTHENTICATION = "broken_authentication"
    CREDENTIAL_STUFFING = "credential_stuffing"
    RATE_ABUSE = "rate_abuse"
    ENUMERATION = "enumeration"
    MASS_ASSIGNMENT = "mass_assignment"
    EXCESSIVE_DATA_EXPOSURE = "excessive_data_exposure"
    # Posture
    JWT_WEAKNESS = "jwt_weakness"
    SECURITY_MISCONFIGURATION = "security_misconfiguration"
    SENSITIVE_DATA_IN_URL = "sensitive_data_in_url"
    SHADOW_ENDPOINT = "shadow_endpoint"
    ZOMBIE_ENDPOINT = "zombie_endpoint"


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}

#: OWASP API Security Top 10 (2023) category of each detection type.
OWASP_CATEGORY: dict[DetectionType, str] = {
    DetectionType.BOLA: "API1:2023",
    DetectionType.ENUMERATION: "API1:2023",
    DetectionType.BROKEN_AUTHENTICATION: "API2:2023",
    DetectionType.CREDENTIAL_STUFFING: "API2:2023",
    DetectionType.JWT_WEAKNESS: "API2:2023",
    DetectionType.MASS_ASSIGNMENT: "API3:2023",
    DetectionType.EXCESSIVE_DATA_EXPOSURE: "API3:2023",
    DetectionType.SENSITIVE_DATA_IN_URL: "API3:2023",
    DetectionType.RATE_ABUSE: "API4:2023",
    DetectionType.SSRF: "API7:2023",
    DetectionType.SECURITY_MISCONFIGURATION: "API8:2023",
    DetectionType.SHADOW_ENDPOINT: "API9:2023",
    DetectionType.ZOMBIE_ENDPOINT: "API9:2023",
    DetectionType.SCHEMA_VIOLATION: "API8:2023",
    DetectionType.UNKNOWN_PARAMETER: "API8:2023",
}
for _injection in (
    DetectionType.SQLI,
    DetectionType.NOSQLI,
    DetectionType.XSS,
    DetectionType.PATH_TRAVERSAL,
    DetectionType.FILE_INCLUSION,
    DetectionType.COMMAND_INJECTION,
    DetectionType.XXE,
    DetectionType.SSTI,
    DetectionType.LOG4SHELL,
    DetectionType.LDAP_INJECTION,
    DetectionType.CRLF_INJECTION,
    DetectionType.INSECURE_DESERIALIZATION,
    DetectionType.OPEN_REDIRECT,  # no API Top 10 category of its own: an unvalidated-input flaw
):
    OWASP_CATEGORY[_injection] = "API8:2023"

#: Posture types describe the API rather than one request.
POSTURE_TYPES = frozenset(
    {
        DetectionType.JWT_WEAKNESS,
        DetectionType.SECURITY_MISCONFIGURATION,
        DetectionType.SENSITIVE_DATA_IN_URL,
        DetectionType.SHADOW_ENDPOINT,
        DetectionType.ZOMBIE_ENDPOINT,
    }
)
