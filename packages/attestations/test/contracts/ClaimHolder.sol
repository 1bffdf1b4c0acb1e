// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// An ERC725 (v1) key holder with ERC735 claims, written for w3kit's tests from the two
/// specifications, as Origin's identity contracts use them: keys are keccak256(address),
/// purpose 1 is management, 3 is claim signer; a claim's id is keccak256(issuer, topic).
contract ClaimHolder {
    uint256 public constant MANAGEMENT_KEY = 1;
    uint256 public constant ACTION_KEY = 2;
    uint256 public constant CLAIM_SIGNER_KEY = 3;
    uint256 public constant ECDSA_TYPE = 1;

    struct Claim {
        uint256 topic;
        uint256 scheme;
        address issuer;
        bytes signature;
        bytes data;
        string uri;
    }

    mapping(bytes32 => mapping(uint256 => bool)) private purposes;
    mapping(bytes32 => Claim) private claims;

    event KeyAdded(bytes32 indexed key, uint256 indexed purpose, uint256 indexed keyType);
    event ClaimAdded(bytes32 indexed claimId, uint256 indexed topic, uint256 scheme, address indexed issuer, bytes signature, bytes data, string uri);

    constructor() {
        bytes32 key = keccak256(abi.encodePacked(msg.sender));
        purposes[key][MANAGEMENT_KEY] = true;
        emit KeyAdded(key, MANAGEMENT_KEY, ECDSA_TYPE);
    }

    /// A management key holds every purpose.
    function keyHasPurpose(bytes32 key, uint256 purpose) public view returns (bool) {
        return purposes[key][MANAGEMENT_KEY] || purposes[key][purpose];
    }

    function addKey(bytes32 key, uint256 purpose, uint256 keyType) external returns (bool) {
        require(msg.sender == address(this) || keyHasPurpose(keccak256(abi.encodePacked(msg.sender)), MANAGEMENT_KEY), "not a management key");
        purposes[key][purpose] = true;
        emit KeyAdded(key, purpose, keyType);
        return true;
    }

    /// ERC735: only the identity itself, or a holder of a claim key of it, adds claims.
    function addClaim(uint256 topic, uint256 scheme, address issuer, bytes calldata signature, bytes calldata data, string calldata uri) external returns (bytes32 claimId) {
        require(msg.sender == address(this) || keyHasPurpose(keccak256(abi.encodePacked(msg.sender)), CLAIM_SIGNER_KEY), "not a claim key");
        claimId = keccak256(abi.encodePacked(issuer, topic));
        claims[claimId] = Claim(topic, scheme, issuer, signature, data, uri);
        emit ClaimAdded(claimId, topic, scheme, issuer, signature, data, uri);
    }

    function getClaim(bytes32 claimId) external view returns (uint256 topic, uint256 scheme, address issuer, bytes memory signature, bytes memory data, string memory uri) {
        Claim storage c = claims[claimId];
        return (c.topic, c.scheme, c.issuer, c.signature, c.data, c.uri);
    }
}
