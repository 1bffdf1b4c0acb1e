// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import "./ClaimHolder.sol";

/// The check Origin's ClaimVerifier makes, written for w3kit's tests: the claim that the trusted
/// issuer made about `identity` under `topic` is valid when its signature, over the personal
/// message of the 32 bytes keccak256(identity, topic, data), recovers to an address whose
/// keccak256 holds a claim-signer key (purpose 3) on the issuer's identity.
contract ClaimVerifier {
    ClaimHolder public trustedClaimHolder;

    constructor(address issuer) {
        trustedClaimHolder = ClaimHolder(issuer);
    }

    function claimIsValid(ClaimHolder identity, uint256 topic) public view returns (bool) {
        bytes32 claimId = keccak256(abi.encodePacked(address(trustedClaimHolder), topic));
        (uint256 foundTopic, , , bytes memory signature, bytes memory data, ) = identity.getClaim(claimId);
        if (foundTopic != topic || signature.length != 65) return false;
        bytes32 dataHash = keccak256(abi.encodePacked(address(identity), topic, data));
        bytes32 prefixed = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", dataHash));
        address recovered = recover(prefixed, signature);
        if (recovered == address(0)) return false;
        return trustedClaimHolder.keyHasPurpose(keccak256(abi.encodePacked(recovered)), 3);
    }

    function recover(bytes32 digest, bytes memory signature) internal pure returns (address) {
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := mload(add(signature, 32))
            s := mload(add(signature, 64))
            v := byte(0, mload(add(signature, 96)))
        }
        if (v < 27) v += 27;
        if (v != 27 && v != 28) return address(0);
        return ecrecover(digest, v, r, s);
    }
}
